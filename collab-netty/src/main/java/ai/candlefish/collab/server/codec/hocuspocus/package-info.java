/**
 * The Hocuspocus 4.x protocol, as npm {@code @hocuspocus/provider}'s {@code HocuspocusProvider} speaks it (also many
 * providers over one shared {@code HocuspocusProviderWebsocket}): the provider's {@code url} is the server's path
 * prefix itself ({@code ws://host:port/<prefix>}, no document in it); every binary message is the document name as
 * a lib0 varString, a varUint message type and its body:
 *
 * <ul>
 *   <li>0 sync: a y-protocols sync message (step 1, step 2, update); the server answers each step 2 and update with
 *       8 sync status;
 *   <li>1 awareness: a length-prefixed y-protocols awareness update;
 *   <li>2 auth: client to server, 0 and the token (then the provider's version); server to client, 1 "permission
 *       denied" and a reason, or 2 "authenticated" and the scope {@code readonly} or {@code read-write};
 *   <li>3 query awareness; 5 stateless (a varString for the application); 7 close (the client leaves the document);
 *   <li>8 sync status: varUint 1 applied (and, here, stored), 0 not applied (a read-only client's update);
 *   <li>10 pong: the frame {@code [10]} alone, without a document name (answering the server's {@code [9]}).
 * </ul>
 *
 * <p>The provider sends its token and its sync step 1 at once, without waiting: the server queues a document's
 * messages while its token is checked. A provider with {@code sessionAwareness: true} addresses its document as
 * {@code name\0session} (several providers of one document on one socket, each with its own awareness): each such
 * address is a session of its own on document {@code name}, answered at its address.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.codec.hocuspocus;
