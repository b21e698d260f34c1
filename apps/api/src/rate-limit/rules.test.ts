import { describe, expect, it } from "vitest";
import { parseBudget, policyOf } from "./budget.ts";
import { covers } from "./rules.ts";

describe("covers: which request paths a rate-limit row's path counts", () => {
  it("matches segment by segment as a prefix, never inside a segment", () => {
    expect(covers("/posts", "/posts")).toBe(true);
    expect(covers("/posts", "/posts/")).toBe(true);
    expect(covers("/posts", "/posts/7")).toBe(true);
    expect(covers("/posts", "/posts/7/comments")).toBe(true);
    expect(covers("/posts", "/postscript")).toBe(false);
    expect(covers("/posts/7", "/posts")).toBe(false);
    expect(covers("/posts", "/users/1/posts")).toBe(false);
  });

  it("lets {name}, :name and * stand for any one segment", () => {
    for (const rule of ["/users/{id}/posts", "/users/:id/posts", "/users/*/posts"]) {
      expect(covers(rule, "/users/42/posts"), rule).toBe(true);
      expect(covers(rule, "/users/42"), rule).toBe(false);
      expect(covers(rule, "/users/42/likes"), rule).toBe(false);
    }
    expect(covers("/posts/{id}", "/posts")).toBe(false);
  });

  it("covers every path with /", () => {
    expect(covers("/", "/anything/at/all")).toBe(true);
    expect(covers("/", "/")).toBe(true);
  });
});

describe("parseBudget", () => {
  it("reads <requests>/<period> with an optional unit", () => {
    expect(parseBudget("100/60")).toEqual({ limit: 100, periodSeconds: 60 });
    expect(parseBudget("100/1m")).toEqual({ limit: 100, periodSeconds: 60 });
    expect(parseBudget("5/15m")).toEqual({ limit: 5, periodSeconds: 900 });
    expect(parseBudget("1000/1d")).toEqual({ limit: 1000, periodSeconds: 86_400 });
    expect(policyOf({ limit: 5, periodSeconds: 900 })).toBe("5;w=900");
  });

  it("refuses anything else", () => {
    for (const text of ["", "100", "/60", "100/", "0/60", "100/0", "-1/60", "1.5/60", "100/1w", "100/60/60", "ten/60", "100/400d"]) {
      expect(parseBudget(text), text).toBeUndefined();
    }
  });
});
