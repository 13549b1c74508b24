/**
 * Libraries name the caller's options (`pageSize`), never a command's flags: an Azure DevOps task or the Airbyte
 * source never typed `--page-size`. A message about options is also kept as parts, so a command-line tool can write
 * each option as its own flag without reading the text.
 */

/** Where a message names one of the caller's options. */
export interface OptionName {
  readonly option: string;
}

/** A message as text and option names, in order. */
export type OptionMessage = readonly (string | OptionName)[];

/** The option `name`, for use inside {@link optionMessage}. */
export function opt(option: string): OptionName {
  return { option };
}

/** Tagged template: `` optionMessage`${opt("pageSize")}: ${size} must be 1 to 1000` `` keeps the option as a part. */
export function optionMessage(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | OptionName)[]
): OptionMessage {
  const parts: (string | OptionName)[] = [];
  strings.forEach((text, index) => {
    if (text !== "") parts.push(text);
    const value = values[index];
    if (value === undefined) return;
    parts.push(typeof value === "object" ? value : String(value));
  });
  return parts;
}

/** The message's text, each option written by `name` (by default as the option itself). */
export function renderOptionMessage(
  message: OptionMessage,
  name: (option: string) => string = (option) => option,
): string {
  return message.map((part) => (typeof part === "string" ? part : name(part.option))).join("");
}

/** The options a message names, each once, in order. */
export function optionsNamed(messages: readonly OptionMessage[]): string[] {
  const named = messages.flatMap((m) => m.flatMap((part) => (typeof part === "string" ? [] : [part.option])));
  return [...new Set(named)];
}

/** Problems as text or parts: each as parts, each as text, and the options they name. */
export function optionProblems(problems: readonly (string | OptionMessage)[]): {
  messages: OptionMessage[];
  texts: string[];
  options: string[];
} {
  const messages = problems.map((p) => (typeof p === "string" ? [p] : p));
  return { messages, texts: messages.map((m) => renderOptionMessage(m)), options: optionsNamed(messages) };
}

/** An error whose message may name options; `messageWith(name)` writes each option its caller's way. */
export class OptionError extends Error {
  // Private, so two errors with the same message compare equal however they were built.
  readonly #parts: OptionMessage;
  constructor(message: string | OptionMessage) {
    const parts = typeof message === "string" ? [message] : message;
    super(renderOptionMessage(parts));
    this.#parts = parts;
  }
  /** The message with each option written by `name` (a CLI: its flag). */
  messageWith(name: (option: string) => string): string {
    return renderOptionMessage(this.#parts, name);
  }
}
