package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import org.junit.jupiter.api.Test;

class UpdateInspectorTest {
  private static Doc docWith(String text) {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, text);
    return doc;
  }

  private static Doc copy(Doc doc) {
    Doc copy = Doc.create();
    copy.applyUpdate(doc.encodeStateAsUpdate());
    return copy;
  }

  @Test
  void changesNothing_emptyUpdate() {
    assertThat(UpdateInspector.changesNothing(new byte[] {0, 0}, docWith("x"))).isTrue();
  }

  @Test
  void changesNothing_aReadersAnswerToStep1_withDeletionsTheServerHas() {
    Doc server = docWith("hello world");
    server.getText("t").delete(0, 6);
    Doc reader = copy(server);
    byte[] answer = reader.encodeStateAsUpdate(server.encodeStateVector()); // no structs, the whole delete set
    assertThat(UpdateInspector.changesNothing(answer, server)).isTrue();
  }

  @Test
  void changesNothing_isFalseForNewStructs() {
    Doc server = docWith("hello");
    Doc reader = copy(server);
    reader.getText("t").insert(0, "x");
    assertThat(UpdateInspector.changesNothing(reader.encodeStateAsUpdate(server.encodeStateVector()), server))
        .isFalse();
  }

  @Test
  void changesNothing_structsTheServerHasAlready() {
    Doc server = docWith("hello");
    assertThat(UpdateInspector.changesNothing(server.encodeStateAsUpdate(), server)).isTrue();
    Doc other = Doc.create();
    other.getText("t").insert(0, "new");
    assertThat(UpdateInspector.changesNothing(other.encodeStateAsUpdate(), server)).isFalse();
  }

  @Test
  void changesNothing_isFalseForADeletionTheServerLacks() {
    Doc server = docWith("hello");
    Doc reader = copy(server);
    reader.getText("t").delete(1, 2);
    byte[] answer = reader.encodeStateAsUpdate(server.encodeStateVector());
    assertThat(UpdateInspector.changesNothing(answer, server)).isFalse();
    server.getText("t").delete(0, 4); // now the server deleted more than the reader did
    assertThat(UpdateInspector.changesNothing(answer, server)).isTrue();
  }

  @Test
  void changesNothing_isFalseForGarbage() {
    Doc server = docWith("x");
    assertThat(UpdateInspector.changesNothing(new byte[] {}, server)).isFalse();
    assertThat(UpdateInspector.changesNothing(new byte[] {0, 1, 5}, server)).isFalse();
    assertThat(UpdateInspector.changesNothing(new byte[] {0, (byte) 0xFF, (byte) 0xFF, 0x7F}, server)).isFalse();
  }
}
