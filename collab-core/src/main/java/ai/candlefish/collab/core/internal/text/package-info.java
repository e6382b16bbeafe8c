/**
 * Text from outside (clients, servers, tokens) made safe to write into a log line. Internal: not part of the public
 * API, may change without notice.
 */
package ai.candlefish.collab.core.internal.text;
