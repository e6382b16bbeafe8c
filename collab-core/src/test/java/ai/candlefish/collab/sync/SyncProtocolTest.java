package ai.candlefish.collab.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.DecodingException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Checked against bytes produced by y-protocols 1.0.7 (src/test/js/protocol-fixtures.mjs). */
class SyncProtocolTest {
  private static Map<?, ?> fixture() throws IOException {
    try (InputStream in = SyncProtocolTest.class.getResourceAsStream("/fixtures/protocols/sync.json")) {
      return (Map<?, ?>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static byte[] b64(Map<?, ?> f, String key) {
    return Base64.getDecoder().decode((String) f.get(key));
  }

  @Test
  void step1_matchesYProtocols() throws IOException {
    Map<?, ?> f = fixture();
    SyncMessage m = new SyncMessage.SyncStep1(b64(f, "clientStateVector"));
    assertThat(m.encode()).isEqualTo(b64(f, "step1"));
    assertThat(SyncMessage.decode(b64(f, "step1"))).isEqualTo(m);
  }

  @Test
  void handle_answersStep1WithTheSameStep2AsYProtocols() throws IOException {
    Map<?, ?> f = fixture();
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getText("t").insert(0, "hello from the server");
    server.getMap("m").set("k", List.of(1, "two", Map.of("three", true)));
    SyncMessage reply = SyncProtocol.handle(server, SyncMessage.decode(b64(f, "step1")), "test");
    assertThat(reply).isInstanceOf(SyncMessage.SyncStep2.class);
    assertThat(reply.encode()).isEqualTo(b64(f, "step2Reply"));
  }

  @Test
  void handle_appliesUpdates() throws IOException {
    Map<?, ?> f = fixture();
    Doc client = Doc.newBuilder().clientId(2).build();
    assertThat(SyncProtocol.handle(client, SyncMessage.decode(b64(f, "step2Reply")), "net")).isNull();
    SyncMessage update = SyncMessage.decode(b64(f, "update"));
    assertThat(update).isEqualTo(SyncProtocol.update(b64(f, "updatePayload")));
    SyncProtocol.handle(client, update, "net");
    assertThat(client.getText("t").toString()).isEqualTo(">hello from the server");
  }

  @Test
  void decode_rejectsUnknownTypesAndTruncation() {
    assertThatThrownBy(() -> SyncMessage.decode(new byte[] {3})).isInstanceOf(DecodingException.class)
        .hasMessageContaining("unknown sync message type 3");
    assertThatThrownBy(() -> SyncMessage.decode(new byte[] {2, 5, 1})).isInstanceOf(DecodingException.class);
  }

  @Test
  void decode_ignoresTrailingBytesAsYProtocols() {
    assertThat(SyncMessage.decode(new byte[] {2, 2, 0, 0, 9})).isEqualTo(SyncProtocol.update(new byte[] {0, 0}));
  }

  @Test
  void handle_badUpdateLeavesDocumentUnchanged() {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, "x");
    byte[] before = doc.encodeStateAsUpdate();
    assertThatThrownBy(() -> SyncProtocol.handle(doc, new SyncMessage.Update(new byte[] {1, 1, 1}), null))
        .isInstanceOf(DecodingException.class);
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
  }
}
