package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CloseReasons#fit} on random reasons of characters of one to four bytes of UTF-8 and lone surrogates: the
 * result, as Netty writes it into a close frame, is UTF-8 of at most 123 bytes, starts the reason (its lone
 * surrogates as {@code ?}, as Java's encoder writes them), ends between two code points, and is as long as it can be
 * (the next code point would not fit).
 */
class CloseReasonsPropertyTest {
  private static final String[] PIECES = {"a", "\u00e9", "\u20ac", "\uD83D\uDEAB", "\uD800", "\uDC00", " "};

  @Test
  void fit_cutsBetweenCodePoints_asLongAsTheFrameHolds() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder reason = new StringBuilder();
      for (int n = random.nextInt(90); n > 0; n--) {
        reason.append(PIECES[random.nextInt(PIECES.length)]);
      }
      String full = reason.toString();
      String fit = CloseReasons.fit(full);
      String context = "seed " + seed + ", reason " + full.chars().mapToObj(Integer::toHexString).toList();
      ByteBuf written = Unpooled.buffer();
      ByteBufUtil.writeUtf8(written, fit);
      assertThat(ByteBufUtil.isText(written, StandardCharsets.UTF_8)).as(context + ": UTF-8").isTrue();
      assertThat(written.readableBytes()).as(context).isLessThanOrEqualTo(CloseReasons.MAX_BYTES);
      written.release();
      String encodable = new String(full.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      assertThat(encodable).as(context).startsWith(fit);
      if (fit.length() < encodable.length()) {
        assertThat(Character.isLowSurrogate(encodable.charAt(fit.length()))).as(context + ": a pair cut").isFalse();
        String next = fit + new String(Character.toChars(encodable.codePointAt(fit.length())));
        assertThat(next.getBytes(StandardCharsets.UTF_8).length).as(context + ": room for the next")
            .isGreaterThan(CloseReasons.MAX_BYTES);
      }
    }
  }
}
