package ai.candlefish.collab.server.internal;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The reverse proxies in front of the server, as address ranges ({@code 10.0.0.0/8}, {@code fd00::/8}, or single
 * addresses), and who the client of a connection through them is: the {@code X-Forwarded-For} entry nearest the
 * server that is not itself one of them (each proxy appends the address it was connected from, so entries to the
 * right of the first untrusted one were written by trusted proxies; those to its left by whoever sent the request,
 * and mean nothing). Nothing is looked up in DNS: an entry that is not an address literal ends the walk. Immutable.
 */
public final class TrustedProxies {
  /** Trusts nobody: every connection is its own peer. */
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<Range> parsed;

  private TrustedProxies(List<Range> parsed) {
    this.parsed = parsed;
  }

  /**
   * @param ranges addresses or CIDR ranges, IPv4 or IPv6
   * @throws IllegalArgumentException if one is neither an address literal nor one with a prefix length that fits it
   */
  public static TrustedProxies of(Collection<String> ranges) {
    List<Range> parsed = new ArrayList<>();
    for (String range : Objects.requireNonNull(ranges, "ranges")) {
      parsed.add(Range.parse(Objects.requireNonNull(range, "a range").strip()));
    }
    return parsed.isEmpty() ? NONE : new TrustedProxies(List.copyOf(parsed));
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Range r : parsed) {
      if (r.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client of a request that {@code peer} (a trusted proxy) forwarded with these {@code X-Forwarded-For} header
   * values (in the order received; each a comma-separated list): the rightmost entry that is not a trusted proxy,
   * else the leftmost entry read; {@code peer} if there is no entry.
   */
  public InetAddress client(InetAddress peer, List<String> forwardedFor) {
    InetAddress client = peer;
    for (int h = forwardedFor.size() - 1; h >= 0; h--) {
      String value = forwardedFor.get(h);
      int end = value.length();
      while (end >= 0) {
        int comma = value.lastIndexOf(',', end - 1);
        InetAddress entry = literal(value.substring(comma + 1, end).strip());
        if (entry == null) {
          return client; // "unknown", a name or garbage: nothing to its left can be believed either
        }
        if (!contains(entry)) {
          return entry;
        }
        client = entry;
        end = comma;
      }
    }
    return client;
  }

  /**
   * An address literal as proxies write them ({@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code 2001:db8::1},
   * {@code [2001:db8::1]:4711}), or null.
   */
  static InetAddress literal(String entry) {
    String host = entry;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = host.substring(1, close);
    } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      host = host.substring(0, host.indexOf(':')); // IPv4 with a port
    }
    return NetUtil.createInetAddressFromIpAddressString(host);
  }

  /** One address range: the first {@code bits} bits of {@code network}. */
  private record Range(byte[] network, int bits) {
    static Range parse(String range) {
      int slash = range.indexOf('/');
      String address = slash < 0 ? range : range.substring(0, slash);
      byte[] network = NetUtil.createByteArrayFromIpAddressString(address);
      if (network == null || address.startsWith("[")) {
        throw new IllegalArgumentException("trustedProxies must be addresses or CIDR ranges such as 10.0.0.0/8 or"
            + " fd00::/8 but one was '" + range + "'");
      }
      int bits = network.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(range.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > network.length * 8) {
          throw new IllegalArgumentException("trustedProxies: the prefix length of '" + range + "' must be 0 to "
              + network.length * 8);
        }
      }
      return new Range(network, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xFF << (8 - rest) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }
}
