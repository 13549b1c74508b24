import { describe, expect, it } from "vitest";
import {
  asList,
  bool,
  type ClientEvent,
  createQualysClient,
  int,
  lenientBase64,
  MAX_NAME_CHARS,
  parseXml,
  QualysApiError,
  QualysAuthError,
  QualysParseError,
  QualysRateLimitError,
  readServiceResponse,
  readSimpleReturn,
  simpleReturnError,
  v3List,
} from "../src/index.js";

const REQ = { method: "POST", url: "https://qualysapi.example/qps/rest/3.0/search/was/webapp" };

describe("value quirks", () => {
  it("reads lists of one, numbers and booleans as strings, missing elements", () => {
    expect(asList({ id: "1" })).toEqual([{ id: "1" }]);
    expect(asList(undefined)).toEqual([]);
    expect(int("42")).toBe(42);
    expect(int(42)).toBe(42);
    expect(int("4.2")).toBeUndefined();
    expect(bool("true")).toBe(true);
    expect(bool("0")).toBe(false);
    expect(bool(undefined)).toBeUndefined();
  });

  it("decodes unpadded and wrapped base64", () => {
    const encoded = Buffer.from("<p>hé</p>!").toString("base64");
    expect(lenientBase64(encoded.replace(/=+$/, ""))).toBe("<p>hé</p>!");
    expect(lenientBase64(`${encoded.slice(0, 4)}\n${encoded.slice(4)}`)).toBe("<p>hé</p>!");
  });

  it("reads v3 lists in both XML and JSON shapes", () => {
    expect(v3List({ count: "2", list: { Tag: [{ id: "1" }, { id: "2" }] } }, "Tag")).toHaveLength(2);
    expect(v3List({ count: "1", list: { Tag: { id: "1" } } }, "Tag")).toEqual([{ id: "1" }]);
    expect(v3List({ count: 1, list: [{ Tag: { id: 1 } }] }, "Tag")).toEqual([{ id: 1 }]);
    expect(v3List({ count: "0" }, "Tag")).toEqual([]);
  });
});

describe("ServiceResponse", () => {
  it("reads XML records, count, hasMoreRecords and lastId", () => {
    const sr = readServiceResponse(
      "<ServiceResponse><responseCode>SUCCESS</responseCode><count>1</count><hasMoreRecords>true</hasMoreRecords><lastId>7</lastId><data><WebApp><id>7</id><name><![CDATA[a <b>]]></name></WebApp></data></ServiceResponse>",
      REQ,
    );
    expect(sr).toMatchObject({ count: 1, hasMoreRecords: true, lastId: 7 });
    expect(sr.records).toEqual([{ element: "WebApp", value: { id: "7", name: "a <b>" } }]);
  });

  it("reads JSON with string booleans and single-key data objects", () => {
    const sr = readServiceResponse(
      JSON.stringify({
        ServiceResponse: {
          responseCode: "SUCCESS",
          count: 2,
          hasMoreRecords: "false",
          data: [{ Finding: { id: 1 } }, { Finding: { id: 2 } }],
        },
      }),
      REQ,
    );
    expect(sr.hasMoreRecords).toBe(false);
    expect(sr.records.map((r) => r.value.id)).toEqual([1, 2]);
  });

  it("turns failures returned with HTTP 200 into typed errors", () => {
    const body = (code: string) =>
      `<ServiceResponse><responseCode>${code}</responseCode><responseErrorDetails><errorMessage>m</errorMessage><errorResolution>r</errorResolution></responseErrorDetails></ServiceResponse>`;
    expect(() => readServiceResponse(body("INVALID_CREDENTIALS"), REQ)).toThrow(QualysAuthError);
    try {
      readServiceResponse(body("UNAUTHORIZED"), REQ);
    } catch (error) {
      expect(error).toBeInstanceOf(QualysAuthError);
      expect((error as QualysAuthError).module).toBe("WAS");
    }
    try {
      readServiceResponse(body("INVALID_REQUEST"), REQ);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_REQUEST", text: "m", resolution: "r" });
      expect(error).toBeInstanceOf(QualysApiError);
    }
  });

  it("refuses HTML pages, truncated XML and truncated JSON as retryable parse errors", () => {
    for (const body of [
      "<!DOCTYPE html><html><body>maintenance</body></html>",
      "<ServiceResponse><responseCode>SUCCESS</responseCode><data><WebApp><id>1",
      '{"ServiceResponse":{"responseCode":"SUCCESS","data":[{"WebApp":{"id":',
    ]) {
      expect(() => readServiceResponse(body, REQ)).toThrow(QualysParseError);
    }
    expect(new QualysParseError("x", REQ, "").retryable).toBe(true);
  });
});

describe("SIMPLE_RETURN", () => {
  const doc = (code: string, text: string, items = "") =>
    parseXml(
      `<SIMPLE_RETURN><RESPONSE><DATETIME>2026-01-01T00:00:00Z</DATETIME>${code ? `<CODE>${code}</CODE>` : ""}<TEXT>${text}</TEXT>${items}</RESPONSE></SIMPLE_RETURN>`,
      REQ,
    );

  it("reads launch items", () => {
    const sr = readSimpleReturn(
      doc(
        "",
        "New vm scan launched",
        "<ITEM_LIST><ITEM><KEY>ID</KEY><VALUE>12</VALUE></ITEM><ITEM><KEY>REFERENCE</KEY><VALUE>scan/1.12</VALUE></ITEM></ITEM_LIST>",
      ),
    );
    expect(sr).toEqual({
      code: undefined,
      text: "New vm scan launched",
      items: { ID: "12", REFERENCE: "scan/1.12" },
    });
    expect(sr && simpleReturnError(sr, REQ)).toBeUndefined();
  });

  it("maps codes to typed errors", () => {
    const err = (code: string, text: string, items = "", header?: number) => {
      const sr = readSimpleReturn(doc(code, text, items));
      return sr ? simpleReturnError(sr, REQ, header) : undefined;
    };
    expect(err("2000", "Bad Login/Password")).toMatchObject({ reason: "credentials" });
    expect(err("2001", "This account has expired.")).toMatchObject({ reason: "expired" });
    expect(err("2002", "This user is not authorized to use the KnowledgeBase API.")).toMatchObject({
      module: "KB",
    });
    const rate = err(
      "1965",
      "wait",
      "<ITEM_LIST><ITEM><KEY>SECONDS_TO_WAIT</KEY><VALUE>68928</VALUE></ITEM></ITEM_LIST>",
    );
    expect(rate).toBeInstanceOf(QualysRateLimitError);
    expect(rate).toMatchObject({ code: 1965, waitSec: 68928 });
    expect(err("1960", "busy", "", 3)).toMatchObject({ code: 1960, waitSec: 3 });
    expect(err("1905", "parameter ids has invalid value")).toMatchObject({ code: "1905" });
  });
});

describe("over-long names and URLs", () => {
  const request = { method: "POST", url: "/qps/rest/3.0/search/was/webapp" };
  const webApp = (name: string, url: string) =>
    JSON.stringify({
      ServiceResponse: {
        responseCode: "SUCCESS",
        count: 1,
        data: [{ WebApp: { id: 7, name, url, tags: { list: [{ Tag: { id: 1, name } }] } } }],
      },
    });

  it("are cut to MAX_NAME_CHARS at the parse boundary, the cut marked in the value, with one warning each", () => {
    const long = "x".repeat(1_000_000);
    const sr = readServiceResponse(webApp(long, `https://shop.example/${long}`), request);
    const record = sr.records[0]?.value as { name: string; url: string; tags: unknown };
    expect(record.name).toBe(`${"x".repeat(MAX_NAME_CHARS)}… [cut from 1000000 characters]`);
    expect(record.url.length).toBeLessThan(MAX_NAME_CHARS + 40);
    expect(JSON.stringify(record.tags).length).toBeLessThan(MAX_NAME_CHARS + 200);
    expect(sr.warnings).toEqual([
      `POST /qps/rest/3.0/search/was/webapp WebApp: field name is 1000000 characters long; kept the first ${MAX_NAME_CHARS}`,
      `POST /qps/rest/3.0/search/was/webapp WebApp: field url is 1000021 characters long; kept the first ${MAX_NAME_CHARS}`,
      `POST /qps/rest/3.0/search/was/webapp WebApp: field tags.list.0.Tag.name is 1000000 characters long; kept the first ${MAX_NAME_CHARS}`,
    ]);
  });

  it("names and URLs of ordinary length are left alone", () => {
    const sr = readServiceResponse(webApp("shop", "https://shop.example/"), request);
    expect(sr.records[0]?.value).toMatchObject({ name: "shop", url: "https://shop.example/" });
    expect(sr.warnings).toEqual([]);
  });

  it("reach the client's log hook as warnings", async () => {
    const events: ClientEvent[] = [];
    const client = createQualysClient({
      platform: "US1",
      auth: { kind: "basic", username: "u", password: "not-in-any-url" },
      transport: async () => ({
        status: 200,
        headers: {},
        body: webApp("y".repeat(5000), "https://a.example/"),
      }),
      log: (event) => events.push(event),
    });
    const apps = [];
    for await (const app of client.was.webApps.list()) apps.push(app);
    expect(apps[0]?.name).toBe(`${"y".repeat(MAX_NAME_CHARS)}… [cut from 5000 characters]`);
    expect(events.filter((e) => e.type === "warning")).toHaveLength(2);
  });
});
