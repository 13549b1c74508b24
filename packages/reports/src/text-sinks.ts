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

const NOT_SPACE = /\S/;
/**
 * Decoded bytes kept: enough for EVIDENCE_MAX UTF-16 code units whatever the characters (at most 3 UTF-8 bytes
 * per unit), plus one sequence so the last kept character is whole.
 */
const DECODED_MAX = EVIDENCE_MAX * 3 + 4;
/** Base64 characters kept to decode that much, with room for line breaks inside the base64 text. */
const ENCODED_MAX = Math.ceil((DECODED_MAX * 4) / 3) + 4096;

/**
 * Base64 text (`CONTENTS base64="true"`, `DATA base64="true"`, docs/qualys-api.md 6.1): the first characters
 * are kept, enough for EVIDENCE_MAX characters of the decoded UTF-8 text, and decoded once at the end (Node's
 * decoder skips line breaks and spaces); the rest is only looked at for whether there was any.
 */
export class CappedBase64 implements TextSink {
  private encoded = "";
  private full = false;
  cut = false;

  push(text: string): void {
    if (this.full) {
      if (!this.cut && NOT_SPACE.test(text)) this.cut = true;
      return;
    }
    const room = ENCODED_MAX - this.encoded.length;
    if (text.length <= room) this.encoded += text;
    else {
      this.encoded += text.slice(0, room);
      this.full = true;
      if (NOT_SPACE.test(text.slice(room))) this.cut = true;
    }
  }

  /** The decoded text, capped at EVIDENCE_MAX characters; `cut` is true when anything was left out. */
  text(): string {
    let bytes = Buffer.from(this.encoded, "base64");
    if (bytes.length > DECODED_MAX) {
      bytes = bytes.subarray(0, DECODED_MAX);
      this.cut = true;
    }
    const text = bytes.toString("utf8");
    if (text.length <= EVIDENCE_MAX) return text;
    this.cut = true;
    return text.slice(0, EVIDENCE_MAX);
  }
}
