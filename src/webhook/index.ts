export { classifyEvent, type EventContext, type EventDecision } from "./classify-event.js";
export { verifySignature } from "./verify-signature.js";
export {
  DEFAULT_WEBHOOK_BODY_LIMIT,
  WEBHOOK_PATH,
  type WebhookAnswer,
  type WebhookOptions,
  type WebhookStatus,
  webhookRoutes,
} from "./webhook-routes.js";
