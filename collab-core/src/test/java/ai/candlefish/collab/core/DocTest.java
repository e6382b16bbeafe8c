package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DocTest {
  private final List<Doc> docs = new ArrayList<>();

  private Doc doc(long clientId) {
    Doc d = Doc.newBuilder().clientId(clientId).build();
    docs.add(d);
    return d;
  }

  @AfterEach
  void checkInvariants() {
    docs.forEach(DocInvariants::check);
  }

  private static void sync(Doc a, Doc b) {
    b.applyUpdate(a.encodeStateAsUpdate(b.encodeStateVector()));
    a.applyUpdate(b.encodeStateAsUpdate(a.encodeStateVector()));
  }

  @Test
  void onUpdateV2_followsOnUpdate_withTheSameChangeInV2() {
    Doc d = doc(1);
    List<String> calls = new ArrayList<>();
    List<byte[]> v1 = new ArrayList<>();
    List<byte[]> v2 = new ArrayList<>();
    d.onUpdate((u, origin, txn) -> {
      calls.add("v1");
      v1.add(u);
    });
    Subscription s = d.onUpdateV2((u, origin, txn) -> {
      calls.add("v2 " + origin);
      v2.add(u);
    });
    d.transact(txn -> d.getText("t").insert(0, "hello"), "me");
    d.transact(txn -> { }, "nothing"); // no change: no update in either format
    d.getText("t").delete(0, 2);

    assertThat(calls).containsExactly("v1", "v2 me", "v1", "v2 null");
    for (int i = 0; i < v1.size(); i++) {
      assertThat(v2.get(i)).isEqualTo(Updates.convertV1ToV2(v1.get(i)));
      assertThat(Updates.convertV2ToV1(v2.get(i))).isEqualTo(v1.get(i));
    }
    Doc other = doc(2);
    v2.forEach(other::applyUpdateV2);
    assertThat(other.getText("t").toString()).isEqualTo("llo");
    assertThat(other.encodeStateAsUpdateV2()).isEqualTo(d.encodeStateAsUpdateV2());
    s.close();
    d.getText("t").insert(0, "x");
    assertThat(v2).hasSize(2);
  }

  @Test
  void text_insertAndDelete() {
    Doc d = doc(1);
    YText t = d.getText("t");
    t.insert(0, "hello");
    t.insert(5, " world");
    t.delete(0, 1);
    t.insert(0, "H");
    assertThat(t.toString()).isEqualTo("Hello world");
    assertThat(t.length()).isEqualTo(11);
  }

  @Test
  void text_syncsBetweenDocs() {
    Doc a = doc(1);
    Doc b = doc(2);
    a.getText("t").insert(0, "abc");
    sync(a, b);
    assertThat(b.getText("t").toString()).isEqualTo("abc");
    a.getText("t").insert(1, "X");
    b.getText("t").insert(1, "Y");
    b.getText("t").delete(2, 1);
    sync(a, b);
    assertThat(a.getText("t").toString()).isEqualTo(b.getText("t").toString());
    assertThat(a.encodeStateAsUpdate()).isEqualTo(b.encodeStateAsUpdate());
  }

  @Test
  void onUpdate_streamsEveryTransaction() {
    Doc a = doc(1);
    Doc b = doc(2);
    a.onUpdate((u, origin, txn) -> b.applyUpdate(u));
    YText t = a.getText("t");
    for (int i = 0; i < 100; i++) {
      t.insert(i, "x");
    }
    t.delete(10, 20);
    assertThat(b.getText("t").toString()).isEqualTo(t.toString());
    assertThat(b.encodeStateAsUpdate()).isEqualTo(a.encodeStateAsUpdate());
  }

  @Test
  void applyUpdate_outOfOrderBecomesPendingThenIntegrates() {
    Doc a = doc(1);
    List<byte[]> updates = new ArrayList<>();
    a.onUpdate((u, o, txn) -> updates.add(u));
    YText t = a.getText("t");
    t.insert(0, "a");
    t.insert(1, "b");
    t.insert(2, "c");
    Doc b = doc(2);
    b.applyUpdate(updates.get(2));
    b.applyUpdate(updates.get(1));
    assertThat(b.hasPendingUpdates()).isTrue();
    assertThat(b.getText("t").toString()).isEmpty();
    b.applyUpdate(updates.get(0));
    assertThat(b.hasPendingUpdates()).isFalse();
    assertThat(b.getText("t").toString()).isEqualTo("abc");
  }

  @Test
  void map_setGetDeleteAndConcurrentWinner() {
    Doc a = doc(1);
    Doc b = doc(2);
    a.getMap("m").set("k", 1);
    b.getMap("m").set("k", 2);
    sync(a, b);
    assertThat(a.getMap("m").get("k")).isEqualTo(b.getMap("m").get("k"));
    a.getMap("m").delete("k");
    sync(a, b);
    assertThat(b.getMap("m").has("k")).isFalse();
  }

  @Test
  void array_nestedTypes() {
    Doc a = doc(1);
    YArray arr = a.getArray("a");
    YMap nested = new YMap();
    nested.set("x", true);
    Map<String, Object> obj = new LinkedHashMap<>();
    obj.put("b", 1);
    obj.put("a", List.of(1, 2));
    arr.insert(0, List.of(1, "two", obj, nested));
    Doc b = doc(2);
    sync(a, b);
    assertThat(b.getArray("a").toJson()).isEqualTo(List.of(1, "two", obj, Map.of("x", true)));
  }

  @Test
  void text_formatting() {
    Doc a = doc(1);
    YText t = a.getText("t");
    t.insert(0, "hello world");
    t.format(0, 5, Map.of("bold", true));
    assertThat(t.toDelta()).containsExactly(Delta.insert("hello", Map.of("bold", true)), Delta.insert(" world"));
    Doc b = doc(2);
    sync(a, b);
    assertThat(b.getText("t").toDelta()).isEqualTo(t.toDelta());
  }

  @Test
  void applyUpdate_garbageIsRejectedWithoutChange() {
    Doc a = doc(1);
    a.getText("t").insert(0, "abc");
    byte[] before = a.encodeStateAsUpdate();
    assertThatThrownBy(() -> a.applyUpdate(new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}))
        .isInstanceOf(DecodingException.class);
    assertThat(a.encodeStateAsUpdate()).isEqualTo(before);
  }

  /**
   * What a peer lacks depends only on the clients the document has: a state vector claiming 8 million clients (one
   * client's entry over and over, 16 MB) was decoded into a table sized by the claim (192 MB). Now the entries of
   * other clients are read and dropped, and the answer is the same.
   */
  @Test
  void encodeStateAsUpdate_ofAStateVectorClaimingMillionsOfClients_keepsOnlyTheDocumentsClients() {
    Doc doc = Doc.newBuilder().clientId(5).build();
    doc.getText("t").insert(0, "abc");
    int entries = 8_000_000;
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(entries);
    for (int i = 0; i < entries; i++) {
      out.writeVarUint(i % 100); // client 5 among them, at clock 1
      out.writeVarUint(i % 100 == 5 ? 1 : 0);
    }
    byte[] lying = out.toByteArray();
    StateVector honest = StateVector.empty();
    honest.set(5, 1);

    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    byte[] answer = doc.encodeStateAsUpdate(lying);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(answer).isEqualTo(doc.encodeStateAsUpdate(honest));
    assertThat(doc.encodeStateAsUpdateV2(lying)).isEqualTo(doc.encodeStateAsUpdateV2(honest.encode()));
    assertThat(allocated).as("bytes allocated to answer a %d-byte state vector", lying.length).isLessThan(1 << 20);
  }
}
