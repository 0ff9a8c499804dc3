import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { capLine, createLogger, MAX_LOG_LINE_BYTES } from "../../src/server/logger.js";

/** The server's logger, writing into a buffer: every line as written, parsed. */
async function captured() {
  const sink = new PassThrough();
  let text = "";
  sink.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const log = await createLogger({ level: "debug", format: "json", destination: sink });
  const lines = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return text.split("\n").filter(Boolean);
  };
  return { log, lines };
}

const TOKEN = "ghs_SECRETinstallationTOKEN123";
const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecret\n-----END RSA PRIVATE KEY-----";
const BODY = "the whole response body, which must never be logged";

describe("the server's logs", () => {
  it("redact authorization headers, tokens and keys, wherever the app or Octokit puts them", async () => {
    const { log, lines } = await captured();
    const child = log.child({ name: "github" });
    child.info({ headers: { authorization: `token ${TOKEN}` }, token: TOKEN, auth: { token: TOKEN, privateKey: KEY } }, "one");
    child.warn({ request: { headers: { authorization: `bearer ${TOKEN}` } } }, "two");
    const error = Object.assign(new Error("Bad credentials"), {
      status: 401,
      request: { method: "GET", url: "https://api.github.com/repos/a/b", headers: { authorization: `token ${TOKEN}` }, body: BODY },
      response: { status: 401, url: "https://api.github.com/repos/a/b", headers: {}, data: { message: BODY } },
    });
    child.error({ err: error }, "three");
    const text = (await lines()).join("\n");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("MIIEsecret");
    expect(text).not.toContain(BODY);
    expect(text).toContain("[redacted]");
    // What is needed to tell what failed stays.
    const three = JSON.parse((await lines()).find((line) => line.includes('"three"')) as string) as { err: { message: string; status: number; request: unknown; response: unknown } };
    expect(three.err).toMatchObject({ message: "Bad credentials", status: 401, request: { method: "GET", url: "https://api.github.com/repos/a/b" }, response: { status: 401 } });
  });

  it("no line is over 64 kB, however big what is logged (a comment, a payload, a message)", async () => {
    const { log, lines } = await captured();
    const huge = "x".repeat(300_000);
    log.info({ comment: { body: huge } }, "a long comment");
    log.info({ many: Array.from({ length: 10_000 }, (_, index) => ({ index, text: "y".repeat(100) })) }, "a long list");
    log.info(`a long message ${huge}`);
    log.error({ err: new Error(huge) }, "a long error");
    log.debug({ event: { id: "d-1", name: "issue_comment", payload: { action: "created", comment: { body: huge } } } }, "Webhook received");
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, index) => [`key${index}`, "z".repeat(60)]));
    log.info(wide, "many keys");
    const written = await lines();
    expect(written).toHaveLength(6);
    for (const line of written) {
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LOG_LINE_BYTES);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    expect(written.join("\n")).not.toContain("x".repeat(5_000));
    // The webhook as Probot logs it at debug: its id, name and action only.
    expect(JSON.parse(written[4] as string).event).toEqual({ id: "d-1", name: "issue_comment", action: "created" });
  });

  it("capLine: short lines pass as they are; an oversized one becomes a short line naming its size", () => {
    const short = '{"level":30,"msg":"hi"}\n';
    expect(capLine(short)).toBe(short);
    const long = `${JSON.stringify({ level: 50, msg: "m", blob: "b".repeat(MAX_LOG_LINE_BYTES) })}\n`;
    const capped = capLine(long);
    expect(Buffer.byteLength(capped)).toBeLessThan(4_000);
    expect(JSON.parse(capped)).toMatchObject({ level: 50, msg: "m", truncated: expect.stringMatching(/a log line of \d+ bytes/) });
    expect(JSON.parse(capLine(`${"{".repeat(70_000)}\n`))).toMatchObject({ level: 40 });
  });
});
