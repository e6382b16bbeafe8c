package ai.candlefish.collab.benchmarks.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The load generator's command line. */
final class LoadCommandLine {
  static final String USAGE = """
      usage: LoadGenerator [options]
        --server ws://HOST:PORT     the server (default ws://127.0.0.1:1234); a comma-separated list for the
                                    nodes of a cluster: client i connects to node (i / documents) % nodes
        --server-name NAME          what the server is, for the report (default collab-netty)
        --protocol P                y-websocket (default), hocuspocus or collab.v1, or several at once on the
                                    same documents, comma-separated (client i speaks the (i / documents)-th)
        --scenario NAME             a name for the report (default load)
        --clients N                 connections (default 100)
        --documents M               documents; client i opens document i % M (default 10)
        --prefix P                  document names are P0, P1, ... (default load-doc-)
        --rate R                    edits per second of each writing client, 0 for idle clients (default 1)
        --writers W                 only clients 0 .. W-1 edit (default: all)
        --replicas K                clients 0 .. K-1 also apply what they receive and make to a replica of
                                    their document, which the convergence check compares with the server's
                                    text; every client's clocks are checked (default: one per document)
        --document-bytes B          give each document a text of about B encoded bytes first (default 0)
        --warmup S                  seconds of edits before latencies count (default 0)
        --duration S                measured seconds, or how long idle clients stay (default 10)
        --awareness S               seconds between awareness renewals, 0: only on connect (default 0)
        --io-threads T              event loop threads (default: cores)
        --connect-concurrency C     connections opening at once (default 200)
        --warmup-connections N      open, sync and close N connections (50 at a time, documents of their own)
                                    before the server's idle heap and RSS are taken (default 0)
        --settle S                  seconds to wait before each of the server's memory readings (idle and
                                    connected): the warm-up's documents unloaded, the JIT compiler done (default 0)
        --local-addresses A,B,...   source addresses used in turn, e.g. 127.0.0.1,127.0.0.2
        --server-pid PID            the server's process (same machine) for CPU and heap figures
        --seed S                    seed of the random edits (default 1)
        --node-pids P,Q,...         the processes of all nodes: their CPU together, for the cluster figures
        --database-pid PID          the database's main process: its CPU and its children's
        --redis HOST:PORT           the cluster's Redis: bytes in and out and its CPU (INFO) in the measured phase
        --processes P               hold the clients in P processes, split by document (default 1): this one
                                    measures and holds the writers' documents, it starts P - 1 others with these
                                    arguments once the server's idle memory is read (a process may hold only so
                                    many sockets: see LoadSettings#processes)
        --process K                 (given by the measuring process to the others) this is process K of P
      """;

  private LoadCommandLine() {}

  /** The settings, or null when help was asked for. */
  static LoadSettings parse(String[] args) {
    LoadSettings.Builder b = LoadSettings.newBuilder();
    int clients = 100;
    int documents = 10;
    double warmup = 0;
    double duration = 10;
    int processes = 1;
    int process = 0;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (option.equals("--help") || option.equals("-h")) {
        return null;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + option + " needs a value");
      }
      String value = args[++i];
      try {
        switch (option) {
          case "--server" -> b.servers(Arrays.stream(value.split(",")).map(String::trim).map(URI::create).toList());
          case "--server-name" -> b.serverName(value);
          case "--protocol" -> b.protocol(protocol(value));
          case "--scenario" -> b.scenario(value);
          case "--clients" -> clients = Integer.parseInt(value);
          case "--documents" -> documents = Integer.parseInt(value);
          case "--prefix" -> b.documentPrefix(value);
          case "--rate" -> b.rate(Double.parseDouble(value));
          case "--writers" -> b.writers(Integer.parseInt(value));
          case "--replicas" -> b.replicas(Integer.parseInt(value));
          case "--document-bytes" -> b.initialDocumentBytes(Long.parseLong(value));
          case "--warmup" -> warmup = Double.parseDouble(value);
          case "--duration" -> duration = Double.parseDouble(value);
          case "--awareness" -> b.awarenessInterval(seconds(value));
          case "--io-threads" -> b.ioThreads(Integer.parseInt(value));
          case "--connect-concurrency" -> b.connectConcurrency(Integer.parseInt(value));
          case "--warmup-connections" -> b.warmupConnections(Integer.parseInt(value));
          case "--settle" -> b.settle(seconds(value));
          case "--local-addresses" -> b.localAddresses(addresses(value));
          case "--server-pid" -> b.serverPid(Long.parseLong(value));
          case "--seed" -> b.seed(Long.parseLong(value));
          case "--node-pids" -> b.nodePids(Arrays.stream(value.split(",")).map(String::trim).map(Long::valueOf)
              .toList());
          case "--database-pid" -> b.databasePid(Long.parseLong(value));
          case "--redis" -> b.redis(value);
          case "--processes" -> processes = Integer.parseInt(value);
          case "--process" -> process = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + option);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("option " + option + " needs a number but got " + value);
      }
    }
    return b.clients(clients, documents).phases(seconds(warmup), seconds(duration)).processes(processes, process)
        .build();
  }

  /** A protocol by name, or a mix of several by their names joined with commas ({@link MixedLoadProtocol}). */
  static LoadProtocol protocol(String name) {
    if (name.contains(",")) {
      return new MixedLoadProtocol(Arrays.stream(name.split(",")).map(String::trim).map(LoadCommandLine::protocol)
          .toList());
    }
    for (LoadProtocol p : List.of(YWebsocketLoadProtocol.INSTANCE, HocuspocusLoadProtocol.INSTANCE,
        CollabV1LoadProtocol.INSTANCE)) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown protocol " + name + " (y-websocket, hocuspocus or collab.v1)");
  }

  private static Duration seconds(String value) {
    return seconds(Double.parseDouble(value));
  }

  private static Duration seconds(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }

  private static List<InetAddress> addresses(String value) {
    List<InetAddress> list = new ArrayList<>();
    for (String a : value.split(",")) {
      try {
        list.add(InetAddress.getByName(a.trim()));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + a);
      }
    }
    return list;
  }
}
