/**
 * collab/1, Candlefish's own wire protocol, as both the server ({@code collab-netty}) and the Java client
 * ({@code collab-client}) speak it: its messages are defined in {@code collab/v1/collab.proto} (in this jar; the
 * generated classes are in {@code ai.candlefish.collab.protocol.v1}), one protobuf message per binary WebSocket
 * message ({@link ai.candlefish.collab.protocol.CollabV1Frames}), chosen with the WebSocket subprotocol
 * {@value ai.candlefish.collab.protocol.CollabV1Frames#SUBPROTOCOL}.
 *
 * <p>Applications use {@code CollabClient} or {@code CollabServer}; this package is for them and for clients in
 * other languages, which generate their code from the same {@code .proto}.
 */
@NullMarked
package ai.candlefish.collab.protocol;

import org.jspecify.annotations.NullMarked;
