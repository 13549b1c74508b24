/**
 * Collectors for the text of one element that never hold more than they keep. Report text nodes can be many
 * megabytes (base64 response bodies, information-gathered data), so each collector keeps at most its cap and only
 * notes that more was there.
 */

import { EVIDENCE_MAX } from "@qualys-connector/model";

export interface TextSink {
  push(text: string): void;
}

/** Plain text, cut at `cap` characters. */
export class CappedText implements TextSink {
  private value = "";
  /** True when text beyond the cap was dropped. */
  cut = false;
  constructor(private readonly cap: number) {}

  push(text: string): void {
    if (this.cut) return;
    const room = this.cap - this.value.length;
    if (text.length <= room) this.value += text;
    else {
      this.value += text.slice(0, room);
      this.cut = true;
    }
  }

  text(): string {
    return this.value;
  }
}

const BASE64_NOISE = /[^A-Za-z0-9+/]/g;
const NOT_SPACE = /\S/;
/**
 * Decoded bytes kept: enough for EVIDENCE_MAX UTF-16 code units whatever the characters (at most 3 UTF-8 bytes
 * per unit), plus one sequence so the last kept character is whole.
 */
const DECODED_MAX = EVIDENCE_MAX * 3 + 4;

/**
 * Base64 text (`CONTENTS base64="true"`, `DATA base64="true"`, docs/qualys-api.md 6.1) decoded as it arrives,
 * keeping the first EVIDENCE_MAX characters of the decoded UTF-8 text.
 */
export class CappedBase64 implements TextSink {
  private pending = "";
  private readonly parts: Buffer[] = [];
  private decoded = 0;
  cut = false;

  push(text: string): void {
    if (this.decoded >= DECODED_MAX) {
      if (!this.cut && NOT_SPACE.test(text)) this.cut = true;
      return;
    }
    const clean = this.pending + text.replace(BASE64_NOISE, "");
    const whole = clean.length - (clean.length % 4);
    this.pending = clean.slice(whole);
    if (whole > 0) this.take(Buffer.from(clean.slice(0, whole), "base64"));
  }

  private take(bytes: Buffer): void {
    const room = DECODED_MAX - this.decoded;
    if (bytes.length > room) {
      this.parts.push(bytes.subarray(0, room));
      this.decoded += room;
      this.cut = true;
    } else {
      this.parts.push(bytes);
      this.decoded += bytes.length;
    }
  }

  /** The decoded text, capped at EVIDENCE_MAX characters; `cut` is true when anything was left out. */
  text(): string {
    if (this.pending.length > 0 && this.decoded < DECODED_MAX) {
      this.take(Buffer.from(this.pending, "base64"));
      this.pending = "";
    }
    const text = Buffer.concat(this.parts).toString("utf8");
    if (text.length <= EVIDENCE_MAX) return text;
    this.cut = true;
    return text.slice(0, EVIDENCE_MAX);
  }
}
