export { type ApiOptions, apiRoutes, type CancelAnswer, readSyncRequest, type SyncRequestBody } from "./api-routes.js";
