package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Yjs 13.6's own encoding tests ({@code tests/encoding.tests.js} at v13.6.31), ported with their expected values.
 * Each method names the Yjs test.
 */
class YjsEncodingSuiteTest {
  @Test
  void testStructReferences() {
    // Yjs: contentRefs[1..9] are the readers of these contents; 10 is reserved for Skip
    assertThat(new ContentDeleted(1).ref()).isEqualTo(1);
    assertThat(new ContentJson(List.of(1)).ref()).isEqualTo(2);
    assertThat(new ContentBinary(new byte[0]).ref()).isEqualTo(3);
    assertThat(ContentString.of("a").ref()).isEqualTo(4);
    assertThat(new ContentEmbed(Map.of()).ref()).isEqualTo(5);
    assertThat(new ContentFormat("k", true).ref()).isEqualTo(6);
    assertThat(new ContentType(new YMap()).ref()).isEqualTo(7);
    assertThat(new ContentAny(List.of(1)).ref()).isEqualTo(8);
    assertThat(new ContentDoc(Doc.create(), Map.of()).ref()).isEqualTo(9);
    assertThat(Skip.REF).isEqualTo(10);
  }

  /** Permanent user data encodes its own delete sets: two users, synced both ways, then a third joining. */
  @Test
  void testPermanentUserData() {
    Doc ydoc1 = Doc.newBuilder().clientId(1).build();
    Doc ydoc2 = Doc.newBuilder().clientId(2).build();
    PermanentUserData pd1 = new PermanentUserData(ydoc1);
    PermanentUserData pd2 = new PermanentUserData(ydoc2);
    pd1.setUserMapping(ydoc1.clientId(), "user a");
    pd2.setUserMapping(ydoc2.clientId(), "user b");
    ydoc1.getText("").insert(0, "xhi");
    ydoc1.getText("").delete(0, 1);
    ydoc2.getText("").insert(0, "hxxi");
    ydoc2.getText("").delete(1, 2);
    ydoc2.applyUpdate(ydoc1.encodeStateAsUpdate());
    ydoc1.applyUpdate(ydoc2.encodeStateAsUpdate());
    // a third document synced with the first, the same user on another client
    Doc ydoc3 = Doc.newBuilder().clientId(3).build();
    ydoc3.applyUpdate(ydoc1.encodeStateAsUpdate());
    PermanentUserData pd3 = new PermanentUserData(ydoc3);
    pd3.setUserMapping(ydoc3.clientId(), "user a");
    // Yjs's test only checks that none of this throws; what Yjs 13.6.33 then answers:
    assertThat(pd3.getUserByClientId(1)).isEqualTo("user a");
    assertThat(pd3.getUserByClientId(2)).isEqualTo("user b");
    assertThat(pd3.getUserByClientId(3)).isEqualTo("user a");
    assertThat(pd3.getUserByDeletedId(1, 4)).isEqualTo("user a");
    assertThat(pd3.getUserByDeletedId(2, 5)).isEqualTo("user b");
    assertThat(pd3.getUserByDeletedId(1, 5)).isNull();
    assertThat(ydoc3.getMap("users").toJson().keySet()).containsExactlyInAnyOrder("user a", "user b");
  }

  @Test
  void testDiffStateVectorOfUpdateIsEmpty() {
    // yjs#308: an update whose earlier operations are missing has an empty state vector
    Doc ydoc = Doc.create();
    List<byte[]> sv = new ArrayList<>();
    ydoc.getText("").insert(0, "a");
    ydoc.onUpdate((u, o, t) -> sv.add(Updates.stateVector(u).encode()));
    ydoc.getText("").insert(0, "a");
    assertThat(sv).hasSize(1);
    assertThat(sv.get(0)).isEqualTo(new byte[] {0});
  }

  @Test
  void testDiffStateVectorOfUpdateIgnoresSkips() {
    Doc ydoc = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    ydoc.onUpdate((u, o, t) -> updates.add(u));
    ydoc.getText("").insert(0, "a");
    ydoc.getText("").insert(0, "b");
    ydoc.getText("").insert(0, "c");
    byte[] update13 = Updates.merge(List.of(updates.get(0), updates.get(2)));
    StateVector state = Updates.stateVector(update13);
    assertThat(state.get(ydoc.clientId())).isEqualTo(1);
    assertThat(state.toMap()).hasSize(1);
  }
}
