/**
 * The key of an SMS or push message's context that names the sending stack's
 * configuration set: End User Messaging returns the context on every receipt,
 * and each stack takes only the receipts of its own messages.
 */
export const SMS_SENDER_CONTEXT = 'configurationSet';
