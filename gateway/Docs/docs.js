// The API reference: reads /openapi/v1.json and shows every operation, with a form to try it.
// Everything is written with textContent: nothing from the document or the answers is parsed as HTML.
"use strict";

const keyInput = document.getElementById("api-key");
keyInput.value = localStorage.getItem("ent-api-key") || "";
keyInput.addEventListener("change", () => localStorage.setItem("ent-api-key", keyInput.value));

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function resolve(api, schema) {
  if (schema && schema.$ref) return api.components.schemas[schema.$ref.split("/").pop()];
  if (schema && schema.allOf) return resolve(api, schema.allOf[0]);
  return schema;
}

function typeName(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.allOf) return typeName(schema.allOf[0]);
  if (schema.type === "array") return typeName(schema.items) + "[]";
  return schema.format ? `${schema.type} (${schema.format})` : schema.type;
}

// A schema as nested lists, three levels deep at most.
function renderSchema(api, schema, depth) {
  const list = element("ul", null, "schema");
  const resolved = resolve(api, schema);
  if (!resolved) return list;
  if (resolved.enum) {
    list.append(element("li", "one of: " + resolved.enum.join(", ")));
    return list;
  }
  for (const [name, property] of Object.entries(resolved.properties || {})) {
    const item = element("li");
    item.append(element("code", name), text(` ${typeName(property)}`));
    if (property.description) item.append(text(` — ${property.description}`));
    const inner = resolve(api, property.type === "array" ? property.items : property);
    if (depth < 3 && inner && inner.properties) item.append(renderSchema(api, inner, depth + 1));
    list.append(item);
  }
  return list;
}

function text(value) {
  return document.createTextNode(value);
}

function renderTry(verb, path, operation) {
  const form = element("form", null, "try");
  const inputs = {};
  for (const parameter of operation.parameters || []) {
    const label = element("label", `${parameter.name} (${parameter.in}) `);
    const input = element("input");
    input.name = parameter.name;
    inputs[parameter.name] = { input, where: parameter.in };
    label.append(input);
    form.append(label, element("br"));
  }
  let body = null;
  if (operation.requestBody) {
    body = element("textarea");
    body.value = "{}";
    body.setAttribute("aria-label", "request body");
    form.append(body);
  }
  const send = element("button", "Send");
  send.type = "submit";
  const output = element("pre");
  form.append(send, output);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const [name, { input, where }] of Object.entries(inputs)) {
      if (where === "path") url = url.replace(`{${name}}`, encodeURIComponent(input.value));
      else if (input.value !== "") query.append(name, input.value);
    }
    if ([...query].length > 0) url += "?" + query;
    const headers = { "X-Api-Key": keyInput.value };
    if (body) headers["Content-Type"] = "application/json";
    output.textContent = "…";
    try {
      const response = await fetch(url, { method: verb.toUpperCase(), headers, body: body ? body.value : undefined });
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: as it came */ }
      output.textContent = `${response.status} ${response.statusText}\n${shown}`;
    } catch (error) {
      output.textContent = String(error);
    }
  });
  return form;
}

function renderOperation(api, verb, path, operation) {
  const section = element("section", null, "operation");
  section.id = operation.operationId;
  const title = element("h3");
  title.append(element("span", verb, `verb ${verb}`), element("span", path, "path"));
  section.append(title, element("p", operation.description || operation.summary, "description"));
  const parameters = operation.parameters || [];
  if (parameters.length > 0) {
    const table = element("table");
    const header = element("tr");
    header.append(element("th", "parameter"), element("th", "in"), element("th", "type"), element("th", "description"));
    table.append(header);
    for (const parameter of parameters) {
      const row = element("tr");
      row.append(element("td", parameter.name), element("td", parameter.in), element("td", typeName(parameter.schema)), element("td", parameter.description || ""));
      table.append(row);
    }
    section.append(table);
  }
  if (operation.requestBody) {
    const schema = operation.requestBody.content["application/json"].schema;
    section.append(element("h4", `Body: ${typeName(schema) || "object"}`), renderSchema(api, schema, 1));
  }
  const answer = operation.responses["200"].content["application/json"].schema;
  section.append(element("h4", `Answer: ${typeName(answer)}`));
  const details = element("details");
  details.append(element("summary", "Try it"), renderTry(verb, path, operation));
  section.append(details);
  return section;
}

async function main() {
  const status = document.getElementById("status");
  const response = await fetch("/openapi/v1.json");
  const api = await response.json();
  const nav = document.getElementById("operations");
  const content = document.getElementById("reference");
  const byTag = new Map();
  for (const [path, item] of Object.entries(api.paths)) {
    for (const [verb, operation] of Object.entries(item)) {
      const tag = operation.tags[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ verb, path, operation });
    }
  }
  for (const [tag, operations] of byTag) {
    nav.append(element("h2", tag));
    content.append(element("h2", tag));
    for (const { verb, path, operation } of operations) {
      const link = element("a");
      link.href = "#" + operation.operationId;
      link.append(element("span", verb, `verb ${verb}`), text(path));
      nav.append(link);
      content.append(renderOperation(api, verb, path, operation));
    }
  }
  status.remove();
}

main().catch((error) => {
  document.getElementById("status").textContent = "The API description could not be read: " + error;
});
