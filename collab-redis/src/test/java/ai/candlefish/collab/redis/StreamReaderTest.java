package ai.candlefish.collab.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The copy of a stream entry as the publish script sends it; the reader's rounds run in the cluster tests. */
class StreamReaderTest {
  private static final byte[] SELF = "node-a".getBytes(StandardCharsets.UTF_8);

  /** {@code U, id length (2 bytes), id, "<entry id> <seq> <type><data>"}, as StreamScripts' PUBLISH writes it. */
  private static byte[] copy(String from, String entryId, long seq, char type, byte[] data) {
    byte[] node = from.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write('U');
    out.write(node.length >>> 8);
    out.write(node.length);
    out.writeBytes(node);
    out.writeBytes((entryId + " " + seq + " " + type).getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(data);
    return out.toByteArray();
  }

  @Test
  void parse_otherNodesCopy_keepsSenderAndData() {
    byte[] message = copy("node-b", "1700000000000-3", 42, 'u', new byte[] {1, 2, 3});
    StreamReader.Entry e = StreamReader.Entry.parse(message, 3 + 6, SELF);
    assertThat(e).isNotNull();
    assertThat(e.id()).isEqualTo("1700000000000-3");
    assertThat(e.seq()).isEqualTo(42);
    assertThat(new String(e.from(), StandardCharsets.UTF_8)).isEqualTo("node-b");
    assertThat(e.type()).isEqualTo((byte) 'u');
    assertThat(e.data()).containsExactly(1, 2, 3);
  }

  @Test
  void parse_ownCopy_positionWithoutData() {
    byte[] message = copy("node-a", "1700000000000-4", 43, 'u', new byte[] {9, 9});
    StreamReader.Entry e = StreamReader.Entry.parse(message, 3 + 6, SELF);
    assertThat(e).isNotNull();
    assertThat(e.id()).isEqualTo("1700000000000-4");
    assertThat(e.seq()).isEqualTo(43);
    assertThat(e.from()).isSameAs(SELF);
    assertThat(e.data()).isNull();
  }

  @Test
  void parse_senderThatStartsLikeSelf_isAnotherNode() {
    byte[] message = copy("node-ab", "1-1", 1, 'u', new byte[] {7});
    StreamReader.Entry e = StreamReader.Entry.parse(message, 3 + 7, SELF);
    assertThat(e).isNotNull();
    assertThat(new String(e.from(), StandardCharsets.UTF_8)).isEqualTo("node-ab");
    assertThat(e.data()).containsExactly(7);
  }

  @Test
  void parse_noSequenceNumber_null() {
    byte[] message = copy("node-b", "1-1", 1, 'u', new byte[0]);
    byte[] cut = Arrays.copyOf(message, 3 + 6 + 4); // "1-1 " and nothing after
    assertThat(StreamReader.Entry.parse(cut, 3 + 6, SELF)).isNull();
  }
}
