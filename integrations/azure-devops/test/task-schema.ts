/**
 * The rules of the Azure Pipelines task schema (tasks.schema.json of microsoft/azure-pipelines-task-lib) that a
 * task.json here must follow, written out as a JSON Schema: the id a GUID, the name without spaces, version with
 * Major/Minor/Patch, each group with name and displayName, each input with name (a letter, then letters and
 * digits), label and a known type or `connectedService:<type>`, the data source bindings' fields, and output
 * variables named like inputs. The published schema's `execution` lists older handlers only, so the Node20_1 and
 * Node24 handlers (each with a target) are checked by this schema instead.
 */
export const taskJsonSchema = {
  type: "object",
  required: [
    "id",
    "name",
    "friendlyName",
    "description",
    "author",
    "version",
    "instanceNameFormat",
    "execution",
  ],
  properties: {
    id: {
      type: "string",
      pattern: "^[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$",
    },
    name: { type: "string", pattern: "^[A-Za-z0-9\\-]+$" },
    friendlyName: { type: "string", maxLength: 40 },
    description: { type: "string" },
    category: {
      enum: [
        "Build",
        "Utility",
        "Test",
        "Package",
        "Deploy",
        "Azure Repos",
        "Azure Boards",
        "Azure Pipelines",
      ],
    },
    version: {
      type: "object",
      additionalProperties: false,
      required: ["Major", "Minor", "Patch"],
      properties: { Major: { type: "number" }, Minor: { type: "number" }, Patch: { type: "number" } },
    },
    minimumAgentVersion: { type: "string", pattern: "^\\d+\\.\\d+(\\.\\d+)?$" },
    groups: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "displayName"],
        properties: {
          name: { type: "string" },
          displayName: { type: "string" },
          isExpanded: { type: "boolean" },
          visibleRule: { type: "string" },
        },
      },
    },
    inputs: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "label", "type"],
        properties: {
          name: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9]*$" },
          label: { type: "string" },
          type: {
            anyOf: [
              { enum: ["boolean", "filePath", "multiLine", "pickList", "radio", "secureFile", "string"] },
              { type: "string", pattern: "^connectedService:.+$" },
            ],
          },
          defaultValue: { type: ["string", "boolean"] },
          required: { type: "boolean" },
          helpMarkDown: { type: "string" },
          groupName: { type: "string" },
          visibleRule: { type: "string" },
          properties: {
            type: "object",
            properties: { EditableOptions: { enum: ["True", "False"] } },
          },
          options: { type: "object" },
          aliases: { type: "array", items: { type: "string" } },
        },
      },
    },
    dataSourceBindings: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          target: { type: "string" },
          endpointId: { type: "string" },
          dataSourceName: { type: "string" },
          parameters: { type: "object" },
          resultTemplate: { type: "string" },
          endpointUrl: { type: "string" },
          resultSelector: { type: "string" },
        },
      },
    },
    outputVariables: {
      type: "array",
      items: {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9]*$" },
          description: { type: "string" },
        },
      },
    },
    execution: {
      type: "object",
      additionalProperties: false,
      required: ["Node20_1", "Node24"],
      properties: {
        Node20_1: { type: "object", required: ["target"], properties: { target: { type: "string" } } },
        Node24: { type: "object", required: ["target"], properties: { target: { type: "string" } } },
      },
    },
  },
} as const;
