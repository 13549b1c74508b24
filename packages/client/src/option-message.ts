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
