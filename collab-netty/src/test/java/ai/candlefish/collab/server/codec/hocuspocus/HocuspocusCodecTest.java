package ai.candlefish.collab.server.codec.hocuspocus;

import static ai.candlefish.collab.server.codec.CodecChannel.frame;
import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.server.CloseCodes;
import ai.candlefish.collab.server.codec.CodecChannel;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.ProtocolException;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.sync.SyncMessage;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ResourceLeakDetector;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Hocuspocus decoder and encoder without sockets; every frame must be released, whatever happens. The client
 * frames pinned here are what {@code @hocuspocus/provider} 4.8.0 sent for document "doc" with token "tok" (captured
 * from its {@code WebSocketPolyfill}; the interop test runs the same provider for real).
 */
class HocuspocusCodecTest {
  /** The provider's token message: "doc", auth, token "tok", then its version "4.8.0". */
  private static final String PROVIDER_AUTH = "03646f63020003746f6b05342e382e30";
  /** The provider's sync step 1 of an empty document. */
  private static final String PROVIDER_STEP1 = "03646f6300000100";
  /** The provider's update after inserting "a" into text "t" (client id 1). */
  private static final String PROVIDER_UPDATE = "03646f6300020b0101010004010174016100";
  /** {@code provider.sendStateless("hi")}. */
  private static final String PROVIDER_STATELESS = "03646f6305026869";
  /** What the provider sends when it is destroyed (detached from its socket). */
  private static final String PROVIDER_CLOSE = "03646f6307";

  private final CodecChannel channel = new CodecChannel(CodecChannel.handler(new HocuspocusDecoder()),
      HocuspocusEncoder.INSTANCE);

  @BeforeAll
  static void paranoid() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void finish() {
    channel.close();
  }

  private static BinaryWebSocketFrame hex(String hex) {
    return frame(HexFormat.of().parseHex(hex));
  }

  /** "doc" as a varString, then {@code rest}. */
  private static BinaryWebSocketFrame doc(int... rest) {
    int[] all = new int[4 + rest.length];
    all[0] = 3;
    all[1] = 'd';
    all[2] = 'o';
    all[3] = 'c';
    System.arraycopy(rest, 0, all, 4, rest.length);
    return frame(all);
  }

  private ClientMessage decode(WebSocketFrame frame) {
    return channel.decode(frame);
  }

  private ProtocolException refused(WebSocketFrame frame) {
    return channel.refused(frame);
  }

  private byte[] encode(ServerMessage message) {
    return channel.encode(message);
  }

  /** What Hocuspocus writes for an auth message {@code kind} with a string about "doc". */
  private static byte[] auth(int kind, String text) {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarString("doc");
    e.writeVarUint(HocuspocusProtocol.MESSAGE_AUTH);
    e.writeVarUint(kind);
    e.writeVarString(text);
    return e.toByteArray();
  }

  private static String hexOf(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  // ------------------------------------------------------------------------------------------------- decoding

  @Test
  void decode_theProvidersTokenMessage_withItsVersion() {
    assertThat(decode(hex(PROVIDER_AUTH))).isEqualTo(new ClientMessage.Authenticate("doc", "tok"));
  }

  @Test
  void decode_aTokenMessageWithoutVersion_orAnEmptyToken() {
    assertThat(decode(doc(2, 0, 1, 'x'))).isEqualTo(new ClientMessage.Authenticate("doc", "x"));
    assertThat(decode(doc(2, 0, 0, 0))).as("the provider sends \"\" for token null")
        .isEqualTo(new ClientMessage.Authenticate("doc", null));
  }

  @Test
  void decode_syncStep1_asksForNoAck() {
    ClientMessage.Sync step1 = (ClientMessage.Sync) decode(hex(PROVIDER_STEP1));
    assertThat(step1.document()).isEqualTo("doc");
    assertThat(step1.type()).isEqualTo(SyncMessage.STEP1);
    assertThat(step1.payload()).containsExactly(0);
    assertThat(step1.ack()).isZero();
  }

  @Test
  void decode_step2AndUpdates_getTheNextAckIdOfTheConnection() {
    ClientMessage.Sync update = (ClientMessage.Sync) decode(hex(PROVIDER_UPDATE));
    assertThat(update.type()).isEqualTo(SyncMessage.UPDATE);
    assertThat(hexOf(update.payload())).isEqualTo("0101010004010174016100");
    assertThat(update.ack()).isEqualTo(1);
    ClientMessage.Sync step2 = (ClientMessage.Sync) decode(doc(0, 1, 2, 0, 0));
    assertThat(step2.type()).isEqualTo(SyncMessage.STEP2);
    assertThat(step2.ack()).isEqualTo(2);
    decode(hex(PROVIDER_STEP1));
    ClientMessage.Sync other = (ClientMessage.Sync) decode(frame(1, 'x', 0, 2, 0));
    assertThat(other.document()).isEqualTo("x");
    assertThat(other.ack()).as("ids count per connection, across documents").isEqualTo(3);
  }

  @Test
  void decode_syncReply_isASyncMessage() {
    ClientMessage.Sync reply = (ClientMessage.Sync) decode(doc(4, 2, 0));
    assertThat(reply.type()).isEqualTo(SyncMessage.UPDATE);
    assertThat(reply.ack()).isEqualTo(1);
  }

  @Test
  void decode_awarenessQueryAwarenessStatelessAndClose() {
    ClientMessage.Awareness awareness = (ClientMessage.Awareness) decode(doc(1, 3, 1, 2, 3));
    assertThat(awareness.document()).isEqualTo("doc");
    assertThat(awareness.update()).containsExactly(1, 2, 3);
    assertThat(decode(doc(3))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
    assertThat(decode(hex(PROVIDER_STATELESS))).isEqualTo(new ClientMessage.Stateless("doc", "hi"));
    assertThat(decode(hex(PROVIDER_CLOSE))).isEqualTo(new ClientMessage.Close("doc"));
  }

  @Test
  void decode_unicodeDocumentNames() {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarString("Ünïcödé 📄");
    e.writeVarUint(HocuspocusProtocol.MESSAGE_QUERY_AWARENESS);
    assertThat(decode(frame(e.toByteArray()))).isEqualTo(new ClientMessage.QueryAwareness("Ünïcödé 📄"));
  }

  @Test
  void decode_pong_isSkipped() {
    assertThat(decode(frame(HocuspocusProtocol.MESSAGE_PONG))).isNull();
  }

  @Test
  void decode_bytesAfterAMessage_areIgnored_asHocuspocusServerIgnoresThem() {
    ClientMessage.Sync update = (ClientMessage.Sync) decode(doc(0, 2, 1, 1, 9, 9));
    assertThat(update.type()).isEqualTo(SyncMessage.UPDATE);
    assertThat(update.payload()).containsExactly(1);
    assertThat(((ClientMessage.Awareness) decode(doc(1, 1, 5, 0))).update()).containsExactly(5);
    assertThat(decode(doc(2, 0, 1, 'x', 1, 'v', 9))).isEqualTo(new ClientMessage.Authenticate("doc", "x"));
    assertThat(decode(doc(3, 0))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
    assertThat(decode(doc(5, 1, 'a', 0))).isEqualTo(new ClientMessage.Stateless("doc", "a"));
    assertThat(decode(doc(7, 0))).isEqualTo(new ClientMessage.Close("doc"));
  }

  @Test
  void decode_malformed_closesWith1002() {
    assertThat(refused(frame()).getMessage()).contains("truncated number");
    assertThat(refused(frame(5, 'd', 'o')).getMessage()).contains("string length 5 exceeds the 2 bytes left");
    assertThat(refused(frame(0, 3)).getMessage()).isEqualTo("malformed message: empty document name");
    assertThat(refused(doc()).getMessage()).contains("truncated number");
    assertThat(refused(doc(0, 2, 5, 1)).getMessage()).contains("length 5 exceeds the 1 bytes left");
    assertThat(refused(doc(0, 7, 0)).getMessage()).isEqualTo("unknown sync message type 7");
    assertThat(refused(doc(2, 1, 0)).getMessage()).contains("unexpected auth message 1");
    ProtocolException tooLong = refused(doc(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));
    assertThat(tooLong.getMessage()).contains("number too large");
    assertThat(tooLong.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
  }

  @Test
  void decode_textFrameUnknownTypeOrServerOnlyMessages_closeWith1003() {
    assertThat(refused(new TextWebSocketFrame("hi")).closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    ProtocolException unknown = refused(doc(99));
    assertThat(unknown.closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    assertThat(unknown.getMessage()).isEqualTo("unknown message type 99");
    assertThat(refused(doc(6, 1, 'x')).getMessage()).contains("broadcast-stateless is server-internal");
    assertThat(refused(doc(8, 1)).closeCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
  }

  @Test
  void decode_sessionAwareAddress_isPassedOnWhole_butItsNameMayNotBeEmpty() {
    assertThat(decode(frame(5, 'd', 'o', 'c', 0, 'x', 3))).isEqualTo(new ClientMessage.QueryAwareness("doc\0x"));
    ProtocolException e = refused(frame(2, 0, 'x', 3));
    assertThat(e.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(e.getMessage()).isEqualTo("malformed message: empty document name");
  }

  @Test
  void decode_sessionId_ofAtMost64Characters() {
    String longest = "doc\0" + "s".repeat(HocuspocusDecoder.MAX_SESSION_ID_LENGTH);
    assertThat(decode(frame(queryAwareness(longest)))).isEqualTo(new ClientMessage.QueryAwareness(longest));
    ProtocolException e = refused(frame(queryAwareness(longest + "s")));
    assertThat(e.closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    assertThat(e.getMessage()).contains("session id longer than 64 characters");
  }

  private static byte[] queryAwareness(String address) {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarString(address);
    e.writeVarUint(HocuspocusProtocol.MESSAGE_QUERY_AWARENESS);
    return e.toByteArray();
  }

  @Test
  void decode_afterARefusedMessage_theDecoderStillWorks() {
    refused(doc(0, 9));
    assertThat(decode(doc(3))).isEqualTo(new ClientMessage.QueryAwareness("doc"));
  }

  // ------------------------------------------------------------------------------------------------- encoding

  @Test
  void encode_sync_isTheNameTheTypeThenTheSyncMessageOfYProtocols() {
    byte[] update = new byte[300];
    new SplittableRandom(1).nextBytes(update);
    Lib0Encoder expected = new Lib0Encoder();
    expected.writeVarString("doc");
    expected.writeVarUint(HocuspocusProtocol.MESSAGE_SYNC);
    expected.writeUint8Array(new SyncMessage.Update(update).encode());
    assertThat(encode(ServerMessage.Sync.update("doc", update))).isEqualTo(expected.toByteArray());
    assertThat(hexOf(encode(ServerMessage.Sync.step1("doc", new byte[] {0})))).isEqualTo(PROVIDER_STEP1);
  }

  @Test
  void encode_awarenessAndStateless() {
    assertThat(hexOf(encode(new ServerMessage.Awareness("doc", new byte[] {1, 2})))).isEqualTo("03646f6301020102");
    assertThat(hexOf(encode(new ServerMessage.Stateless("doc", "hi")))).isEqualTo(PROVIDER_STATELESS);
  }

  @Test
  void encode_authenticated_withTheScope() {
    assertThat(encode(new ServerMessage.Authenticated("doc", false)))
        .isEqualTo(auth(HocuspocusProtocol.AUTH_AUTHENTICATED, "read-write"));
    assertThat(encode(new ServerMessage.Authenticated("doc", true)))
        .isEqualTo(auth(HocuspocusProtocol.AUTH_AUTHENTICATED, "readonly"));
  }

  @Test
  void encode_tokenRequest_isAnAuthTokenMessageWithoutAToken_atTheSessionAwareAddress() {
    // what @hocuspocus/server's Connection.requestToken() writes: the provider's readAuthMessage calls sendToken()
    assertThat(hexOf(encode(new ServerMessage.TokenRequest("doc")))).isEqualTo("03646f630200");
    assertThat(hexOf(encode(new ServerMessage.TokenRequest("doc").withDocument("doc\0s"))))
        .isEqualTo("05646f6300730200");
  }

  @Test
  void encode_ack_isSyncStatusApplied_andARefusedUpdate_isSyncStatusNotApplied() {
    assertThat(hexOf(encode(new ServerMessage.Ack("doc", 17)))).isEqualTo("03646f630801");
    assertThat(hexOf(encode(new ServerMessage.Refused("doc", 18, CloseCodes.FORBIDDEN, "read-only"))))
        .isEqualTo("03646f630800");
  }

  @Test
  void encode_aRefusedTokenOrDocument_isPermissionDeniedWithTheReason() {
    assertThat(encode(new ServerMessage.Refused("doc", 0, CloseCodes.UNAUTHORIZED, "no access ✋")))
        .isEqualTo(auth(HocuspocusProtocol.AUTH_PERMISSION_DENIED, "no access ✋"));
  }

  @Test
  void encodeThenDecode_roundTripsSyncMessagesOfEverySizeAndNamesOfEveryLength() {
    SplittableRandom random = new SplittableRandom(42);
    for (int size : new int[] {0, 1, 127, 128, 16_383, 16_384, 100_000}) {
      byte[] payload = new byte[size];
      random.nextBytes(payload);
      String name = "d".repeat(1 + size % 300);
      byte[] wire = encode(ServerMessage.Sync.step2(name, payload));
      ClientMessage.Sync back = (ClientMessage.Sync) decode(frame(wire));
      assertThat(back.document()).isEqualTo(name);
      assertThat(back.type()).isEqualTo(SyncMessage.STEP2);
      assertThat(back.payload()).as("size %d", size).isEqualTo(payload);
    }
    byte[] stateless = encode(new ServerMessage.Stateless("ü", "{\"a\":\"✓\"}"));
    assertThat(decode(frame(stateless))).isEqualTo(new ClientMessage.Stateless("ü", "{\"a\":\"✓\"}"));
  }
}
