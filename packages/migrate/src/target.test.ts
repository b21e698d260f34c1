import { describe, expect, it } from "vitest";
import { findMigration, parseTarget, resolveDown, resolveUp } from "./target.ts";

const all = ["20240101000000_init", "20240102000000_add_bio", "20240103000000_add_posts", "20240104000000_index_posts"];

describe("parseTarget", () => {
  it.each([
    ["head", { kind: "head" }],
    ["base", { kind: "base" }],
    ["+2", { kind: "relative", steps: 2 }],
    ["-1", { kind: "relative", steps: -1 }],
    [" -3 ", { kind: "relative", steps: -3 }],
    ["20240102000000_add_bio", { kind: "migration", name: "20240102000000_add_bio" }],
    ["20240102", { kind: "migration", name: "20240102" }],
  ])("reads %j", (text, expected) => {
    expect(parseTarget(text)).toEqual(expected);
  });

  it.each(["", "+0", "-0", "+", "1.5", "+x", "head;drop", "../etc", "-99999999999999999999"])("rejects %j and lists the accepted forms", (text) => {
    expect(() => parseTarget(text)).toThrow(/head, base, \+N, -N|zero or too many/);
  });
});

describe("findMigration", () => {
  it("takes a whole name, a unique prefix such as the timestamp, or a unique name after the timestamp", () => {
    expect(findMigration("20240102000000_add_bio", all)).toBe("20240102000000_add_bio");
    expect(findMigration("20240103", all)).toBe("20240103000000_add_posts");
    expect(findMigration("add_bio", all)).toBe("20240102000000_add_bio");
  });

  it("refuses an ambiguous prefix, naming the candidates", () => {
    expect(() => findMigration("2024010", all)).toThrow(/matches 4 migrations: 20240101000000_init, /);
  });

  it("refuses an unknown name with a stable code", () => {
    expect(() => findMigration("nope", all)).toThrow(expect.objectContaining({ code: "UNKNOWN_TARGET" }));
  });
});

describe("resolveUp", () => {
  const pending = all.slice(2);
  it("head applies every pending migration in order", () => {
    expect(resolveUp({ kind: "head" }, pending, all)).toEqual(pending);
  });
  it("+N applies the next N, and refuses more than are pending", () => {
    expect(resolveUp({ kind: "relative", steps: 1 }, pending, all)).toEqual(["20240103000000_add_posts"]);
    expect(() => resolveUp({ kind: "relative", steps: 3 }, pending, all)).toThrow("up +3: only 2 migrations are pending.");
  });
  it("a name applies up to and including it; an applied name needs nothing", () => {
    expect(resolveUp({ kind: "migration", name: "index_posts" }, pending, all)).toEqual(pending);
    expect(resolveUp({ kind: "migration", name: "20240103" }, pending, all)).toEqual(["20240103000000_add_posts"]);
    expect(resolveUp({ kind: "migration", name: "init" }, pending, all)).toEqual([]);
  });
  it("refuses downgrade targets", () => {
    expect(() => resolveUp({ kind: "base" }, pending, all)).toThrow(/base is where `down base` goes/);
    expect(() => resolveUp({ kind: "relative", steps: -1 }, pending, all)).toThrow(/use `down -1`/);
  });
});

describe("resolveDown", () => {
  const applied = all.slice(0, 3);
  it("-N rolls back the last N, newest first", () => {
    expect(resolveDown({ kind: "relative", steps: -2 }, applied, all)).toEqual(["20240103000000_add_posts", "20240102000000_add_bio"]);
    expect(() => resolveDown({ kind: "relative", steps: -4 }, applied, all)).toThrow("down -4: only 3 migrations are applied.");
  });
  it("base rolls back everything", () => {
    expect(resolveDown({ kind: "base" }, applied, all)).toEqual([...applied].reverse());
  });
  it("a name rolls back what came after it, keeping it applied", () => {
    expect(resolveDown({ kind: "migration", name: "init" }, applied, all)).toEqual(["20240103000000_add_posts", "20240102000000_add_bio"]);
    expect(resolveDown({ kind: "migration", name: "add_posts" }, applied, all)).toEqual([]);
  });
  it("refuses a name that is not applied, and upgrade targets", () => {
    expect(() => resolveDown({ kind: "migration", name: "index_posts" }, applied, all)).toThrow(/is not applied/);
    expect(() => resolveDown({ kind: "head" }, applied, all)).toThrow(/head is where `up` goes/);
    expect(() => resolveDown({ kind: "relative", steps: 1 }, applied, all)).toThrow(/use `up \+1`/);
  });
});
