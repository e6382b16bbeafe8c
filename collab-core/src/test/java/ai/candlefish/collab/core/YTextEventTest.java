package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class YTextEventTest {
  private final Doc doc = Doc.newBuilder().clientId(1).build();
  private final YText text = doc.getText("t");
  private final List<List<Delta>> deltas = new ArrayList<>();

  YTextEventTest() {
    text.observe(e -> deltas.add(e.delta()));
  }

  @Test
  void delta_insertWithFormatting() {
    text.insert(0, "abc", Map.of("bold", true));
    assertThat(deltas).containsExactly(List.of(Delta.insert("abc", Map.of("bold", true))));
  }

  @Test
  void delta_formatIsARetainWithAttributes() {
    text.insert(0, "abc");
    deltas.clear();
    text.format(1, 1, Map.of("italic", true));
    assertThat(deltas).containsExactly(List.of(Delta.retain(1), Delta.retain(1, Map.of("italic", true))));
  }

  @Test
  void delta_deleteAndEmbed() {
    text.insert(0, "abc");
    deltas.clear();
    doc.transact(txn -> {
      text.delete(1, 1);
      text.insertEmbed(2, Map.of("image", "x.png"));
    });
    assertThat(deltas).containsExactly(
        List.of(Delta.retain(1), Delta.delete(1), Delta.retain(1), Delta.insert(Map.of("image", "x.png"))));
  }

  @Test
  void delta_remoteChangesLookTheSame() {
    Doc other = Doc.newBuilder().clientId(2).build();
    List<List<Delta>> remote = new ArrayList<>();
    other.getText("t").observe(e -> remote.add(e.delta()));
    doc.onUpdate((u, o, t) -> other.applyUpdate(u));
    text.insert(0, "hello", Map.of("bold", true));
    text.insert(5, " world");
    assertThat(remote).isEqualTo(deltas);
  }
}
