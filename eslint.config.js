// ESLint (flat config) for the phone app, its build script and its unit tests:
// `make lint` or `npx eslint floorwalk/static/src tests/js build.mjs eslint.config.js`.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["floorwalk/static/dist/**", "node_modules/**", ".venv/**"] },
  js.configs.recommended,
  { languageOptions: { ecmaVersion: 2022, sourceType: "module" } },
  {
    files: ["floorwalk/static/src/**/*.js"],
    ignores: ["floorwalk/static/src/sw.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["floorwalk/static/src/sw.js"],
    languageOptions: { globals: globals.serviceworker },
  },
  {
    files: ["build.mjs", "eslint.config.js", "tests/js/**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
];
