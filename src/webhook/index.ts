export { classifyEvent, type EventContext, type EventDecision, type PreviewRequest } from "./classify-event.js";
export { verifySignature } from "./verify-signature.js";
export {
  DEFAULT_WEBHOOK_BODY_LIMIT,
  type EnqueueAnswer,
  WEBHOOK_PATH,
  type WebhookAnswer,
  type WebhookOptions,
  type WebhookStatus,
  webhookRoutes,
} from "./webhook-routes.js";
