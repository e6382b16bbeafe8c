package ai.candlefish.collab.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The two Lua scripts on a document's stream, each atomic in Redis: {@link #publish} (next sequence number,
 * {@code XADD ... MAXLEN ~} and a copy of the entry on the document's channel in one step, so entries are numbered
 * without gaps and copies go out in their order) and {@link #position} (the last entry
 * id and the counter, read together). Thread-safe.
 *
 * <p>{@link #publish} runs once per stored update, so it names its script by digest ({@code EVALSHA}) instead of
 * sending its text every time; Redis answers {@code NOSCRIPT} only when it has not seen the script yet (its first
 * use, a restarted Redis, a {@code SCRIPT FLUSH}), and then the text is sent once ({@code EVAL}, which caches it).
 */
final class StreamScripts {
  /** Entry types ({@code t} field). */
  static final byte[] UPDATE = {'u'};
  static final byte[] RELOAD = {'r'};

  private static final String PUBLISH = String.join("\n",
      "local seq = redis.call('INCR', KEYS[2])",
      "local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*',",
      "  'n', ARGV[2], 's', seq, 't', ARGV[3], 'd', ARGV[4])",
      "redis.call('PEXPIRE', KEYS[1], ARGV[5])",
      "redis.call('PEXPIRE', KEYS[2], ARGV[5])",
      "local n = ARGV[2]",
      "redis.call('PUBLISH', ARGV[6], 'U' .. string.char(math.floor(#n / 256), #n % 256) .. n",
      "  .. id .. ' ' .. seq .. ' ' .. ARGV[3] .. ARGV[4])",
      "return id");

  private static final String POSITION = String.join("\n",
      "local seq = redis.call('GET', KEYS[2])",
      "local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)",
      "local id = '0-0'",
      "if last[1] then id = last[1][1] end",
      "return {id, seq or '0'}");

  /** A stream position: read after entry {@code id}, whose sequence number is {@code seq}. */
  record Position(String id, long seq) {}

  private static final String PUBLISH_SHA1 = sha1(PUBLISH);

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final byte[] nodeId;
  private final byte[] maxLength;
  private final byte[] ttlMillis;

  StreamScripts(StatefulRedisConnection<byte[], byte[]> connection, String nodeId, long maxLength, Duration ttl) {
    this.connection = connection;
    this.nodeId = nodeId.getBytes(StandardCharsets.UTF_8);
    this.maxLength = ascii(maxLength);
    this.ttlMillis = ascii(ttl.toMillis());
  }

  private static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must have", e);
    }
  }

  /**
   * Appends an entry of {@code type} with {@code data} to {@code stream} (numbered by {@code counter}, {@link
   * Keys#counter}) and publishes a copy of it on {@code
   * channel} (as a message of {@link PresenceRelay}'s form, type {@code U}, whose payload {@link
   * StreamReader.Entry#parse} reads); completes with its id, or exceptionally.
   */
  CompletableFuture<byte[]> publish(byte[] stream, byte[] counter, byte[] channel, byte[] type, byte[] data) {
    byte[][] keys = {stream, counter};
    return connection.async().<byte[]>evalsha(PUBLISH_SHA1, ScriptOutputType.VALUE, keys, maxLength, nodeId, type,
        data, ttlMillis, channel).toCompletableFuture().handle((id, e) -> {
          if (e == null) {
            return CompletableFuture.completedFuture(id);
          }
          Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (cause instanceof RedisNoScriptException) {
            return connection.async().<byte[]>eval(PUBLISH, ScriptOutputType.VALUE, keys, maxLength, nodeId, type,
                data, ttlMillis, channel).toCompletableFuture();
          }
          return CompletableFuture.<byte[]>failedFuture(cause);
        }).thenCompose(f -> f);
  }

  /**
   * The stream's current position; blocks.
   *
   * @throws io.lettuce.core.RedisException if Redis cannot be reached
   */
  Position position(byte[] stream, byte[] counter) {
    List<Object> r = connection.sync().eval(POSITION, ScriptOutputType.MULTI, new byte[][] {stream, counter});
    String id = new String((byte[]) r.get(0), StandardCharsets.US_ASCII);
    long seq = Long.parseLong(new String((byte[]) r.get(1), StandardCharsets.US_ASCII));
    return new Position(id, seq);
  }
}
