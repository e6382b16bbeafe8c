/**
 * The y-websocket protocol, as npm {@code y-websocket}'s {@code WebsocketProvider} speaks it: one document per
 * socket, named by the URL path ({@code ws://host:port/<prefix>/<document-name>?token=...}); every binary message is
 * a varUint message type and its body:
 *
 * <ul>
 *   <li>0 sync: a y-protocols sync message (varUint step 1/step 2/update, then a length-prefixed payload);
 *   <li>1 awareness: a length-prefixed y-protocols awareness update;
 *   <li>2 auth: server to client only, varUint 0 ("permission denied") and a length-prefixed reason;
 *   <li>3 query awareness: no body; "send me every awareness state".
 * </ul>
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.codec.ywebsocket;
