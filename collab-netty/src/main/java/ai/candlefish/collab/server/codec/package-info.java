/**
 * Wire protocols, one sub-package per protocol, each a decoder/encoder pair between WebSocket frames and the
 * server's protocol-independent messages; {@link ai.candlefish.collab.server.codec.Lib0Buf} reads and writes
 * lib0's varints on {@code ByteBuf}s for all of them (collab/1's messages and framing are in {@code collab-protocol},
 * shared with the client). A {@code ByteBuf} never leaves this package's decoders.
 *
 * <p>Internal: not part of the public API, may change without notice.
 */
package ai.candlefish.collab.server.codec;
