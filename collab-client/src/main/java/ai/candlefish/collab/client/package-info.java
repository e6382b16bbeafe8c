/**
 * The Java client of collab/1: {@link ai.candlefish.collab.client.CollabClient} keeps local
 * {@link ai.candlefish.collab.core.Doc}s in sync with a Candlefish Collab server over one WebSocket, survives
 * disconnects (edits made offline are sent after reconnecting) and tells when the server has stored each edit.
 *
 * <pre>{@code
 * CollabClient client = CollabClient.newBuilder()
 *     .uri(URI.create("ws://localhost:1234"))
 *     .token(token)
 *     .build();
 * client.connect();
 * ClientDocument notes = client.open("notes").join();            // synced with the server
 * notes.edit(txn -> notes.doc().getText("t").insert(0, "hi"))      // sent at once, or after reconnecting
 *     .thenRun(() -> log.info("stored by the server"));
 * client.close();
 * }</pre>
 */
@NullMarked
package ai.candlefish.collab.client;

import org.jspecify.annotations.NullMarked;
