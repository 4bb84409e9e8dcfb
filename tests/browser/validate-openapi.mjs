// Validates an OpenAPI document (a file path, or a URL) with swagger-parser: structure and $refs.
//   usage: node validate-openapi.mjs <file-or-url>
import SwaggerParser from "@apidevtools/swagger-parser";

const source = process.argv[2];
try {
  const api = await SwaggerParser.validate(source);
  const operations = Object.values(api.paths).reduce((count, item) => count + Object.keys(item).length, 0);
  console.log(JSON.stringify({ valid: true, openapi: api.openapi, paths: Object.keys(api.paths).length, operations }));
} catch (error) {
  console.log(JSON.stringify({ valid: false, error: error.message }));
  process.exit(1);
}
