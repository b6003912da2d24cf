export * from "./desired-state.js";
export * from "./errors.js";
export * from "./labels.js";
export * from "./observed-state.js";
export * from "./plan.js";
export * from "./ports.js";
export * from "./repo-snapshot.js";
export * from "./routes.js";
