package ai.candlefish.collab.benchmarks.load;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one load run does. Immutable; built with {@link #newBuilder()}, whose setters check their values.
 *
 * @param server the server's {@code ws://host:port} (the first of {@code servers})
 * @param serverName what the server is, for the report (such as {@code collab-netty} or {@code hocuspocus})
 * @param protocol how clients talk to it
 * @param scenario a name for the report
 * @param clients how many connections (client {@code i} opens document {@code i % documents})
 * @param documents how many documents the clients share
 * @param documentPrefix document names are this prefix and a number
 * @param rate edits per second of each writing client; 0 for idle clients
 * @param writers how many clients edit (clients {@code 0 .. writers - 1}); the others only read
 * @param replicas how many clients also keep a replica of their document (clients {@code 0 .. replicas - 1}; the
 *     default, {@code documents}, is one per document): it applies every update the client receives and makes, and
 *     the convergence check compares its text and state vector with the server's. Every client, with a replica or
 *     not, edits its own document (the initial sync's state and its own edits) and only times and counts each
 *     update it receives; the check compares the clocks it holds with the server's state vector. So a receiver
 *     costs the load generator less than a server's delivery, and the generator, on the same cores, is not what
 *     a ladder measures
 * @param initialDocumentBytes before the clients connect, each document is given a text whose encoded state is
 *     about this size, by a client that stays connected to the end; 0 for empty documents
 * @param warmup how long clients edit before latencies count
 * @param duration how long the measured phase lasts (the hold time of idle clients)
 * @param awarenessInterval how often each client renews its awareness state; zero: only when it connects
 * @param ioThreads event loop threads of the load generator
 * @param connectConcurrency how many connections may be opening (not synced yet) at once
 * @param localAddresses source addresses for the connections, used in turn (more addresses, more ephemeral
 *     ports); empty: the system's choice
 * @param serverPid the server's process id for CPU and heap figures (same machine); 0: none
 * @param seed the seed of the clients' random edits
 * @param servers the nodes of a cluster serving the same documents, or just {@code server}: the clients of each
 *     document are spread over them in turn (client {@code i} connects to node {@code (i / documents) % nodes}), so
 *     that most of a document's receivers are on another node than its sender
 * @param nodePids the processes of all nodes, whose CPU is added up for the cluster figures; empty: none
 * @param databasePid a database process (PostgreSQL's postmaster) whose CPU, with its children's, is measured
 *     for the cluster figures; 0: none
 * @param redis {@code host:port} of the Redis whose traffic and CPU the cluster figures report (INFO); "" for none
 * @param warmupConnections before the idle figures are taken, this many connections (on documents of their own)
 *     are opened, synced and closed, a few at a time, so that the server's figures with the
 *     clients connected are those of a server that has served before (its JIT's code, its young generation); 0:
 *     none
 * @param settle how long to wait before each of the server's memory readings (idle, after the warm-up's
 *     connections closed, and connected, once every client has synced), so that each reads a server at rest: one
 *     that has let the warm-up's connections and documents go (collab-netty unloads a document 10 s after its last
 *     client left; the idle reading also waits at least a second) and whose JIT compiler has finished compiling and
 *     given its memory back (with {@code -XX:TrimNativeHeapInterval=5000}, within 5 s); zero: none
 * @param processes how many processes hold the clients: a process may hold only so many sockets (this machine's
 *     open-file limit, 20,000, is below what 20,000 connections and the convergence check's probes need). The clients
 *     are split by document: the documents {@code d} with {@code d * processes / documents == p} are process
 *     {@code p}'s, with all their clients, so that every update is sent and received within one process. Process 0
 *     measures and holds every writer's document; the others only hold their clients (see {@link LoadGenerator})
 * @param process which of the {@code processes} this one is; 0 for the one that measures
 */
public record LoadSettings(URI server, String serverName, LoadProtocol protocol, String scenario, int clients,
    int documents, String documentPrefix, double rate, int writers, int replicas, long initialDocumentBytes, Duration warmup,
    Duration duration, Duration awarenessInterval, int ioThreads, int connectConcurrency,
    List<InetAddress> localAddresses, long serverPid, long seed, List<URI> servers, List<Long> nodePids,
    long databasePid, String redis, int warmupConnections, Duration settle, int processes, int process) {

  public LoadSettings {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(protocol, "protocol");
    localAddresses = List.copyOf(localAddresses);
    servers = List.copyOf(servers);
    nodePids = List.copyOf(nodePids);
    Objects.requireNonNull(redis, "redis");
    Objects.requireNonNull(settle, "settle");
    if (processes < 1 || processes > documents || process < 0 || process >= processes) {
      throw new IllegalArgumentException("need 1 <= processes <= documents and 0 <= process < processes but got "
          + processes + " processes, process " + process + ", " + documents + " documents");
    }
    // The last writer's document is the first process's (processOf, before the fields are set).
    if (writers > 0 && (long) (Math.min(writers, documents) - 1) * processes / documents != 0) {
      throw new IllegalArgumentException("the writers' documents must all be the measuring process's, but "
          + writers + " writers edit documents 0.." + (Math.min(writers, documents) - 1) + " and it has "
          + documents + " / " + processes + ": use fewer writers or processes");
    }
  }

  /** The process (see {@link #processes()}) that holds the clients of document {@code d}. */
  public int processOf(int document) {
    return (int) ((long) document * processes / documents);
  }

  /** Whether client {@code i} keeps a replica of its document (see {@link #replicas()}). */
  public boolean hasReplica(int client) {
    return client < replicas;
  }

  /** The node (index in {@link #servers()}) that client {@code i} connects to. */
  public int nodeOf(int client) {
    return Math.floorMod(client / documents, servers.size());
  }

  /** A builder with the defaults of each setter. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Builds {@link LoadSettings}. Not thread-safe. */
  public static final class Builder {
    private URI server = URI.create("ws://127.0.0.1:1234");
    private String serverName = "collab-netty";
    private LoadProtocol protocol = YWebsocketLoadProtocol.INSTANCE;
    private String scenario = "load";
    private int clients = 100;
    private int documents = 10;
    private String documentPrefix = "load-doc-";
    private double rate = 1;
    private int writers = -1;
    private int replicas = -1;
    private long initialDocumentBytes;
    private Duration warmup = Duration.ZERO;
    private Duration duration = Duration.ofSeconds(10);
    private Duration awarenessInterval = Duration.ZERO;
    private int ioThreads = Runtime.getRuntime().availableProcessors();
    private int connectConcurrency = 200;
    private List<InetAddress> localAddresses = List.of();
    private long serverPid;
    private long seed = 1;
    private List<URI> servers = List.of(server);
    private List<Long> nodePids = List.of();
    private long databasePid;
    private String redis = "";
    private int warmupConnections;
    private Duration settle = Duration.ZERO;
    private int processes = 1;
    private int process;

    private Builder() {}

    /** The server's {@code ws://host:port}; default {@code ws://127.0.0.1:1234}. */
    public Builder server(URI server) {
      if (!"ws".equals(Objects.requireNonNull(server, "server").getScheme())) {
        throw new IllegalArgumentException("server must be a ws:// URI but was " + server);
      }
      this.server = server;
      this.servers = List.of(server);
      return this;
    }

    /** The nodes of a cluster (see {@link LoadSettings#servers()}); default: just the one {@link #server(URI)}. */
    public Builder servers(List<URI> servers) {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("servers must name at least one ws:// URI");
      }
      servers.forEach(this::server);
      this.server = servers.get(0);
      this.servers = List.copyOf(servers);
      return this;
    }

    /** The processes of all nodes, for the cluster's CPU figure; default none. */
    public Builder nodePids(List<Long> pids) {
      if (pids.stream().anyMatch(p -> p <= 0)) {
        throw new IllegalArgumentException("node pids must be positive but were " + pids);
      }
      this.nodePids = List.copyOf(pids);
      return this;
    }

    /** The database's main process, measured with its children; 0 (default) for none. */
    public Builder databasePid(long pid) {
      if (pid < 0) {
        throw new IllegalArgumentException("databasePid must not be negative but was " + pid);
      }
      this.databasePid = pid;
      return this;
    }

    /** {@code host:port} of the cluster's Redis; "" (default) for none. */
    public Builder redis(String hostAndPort) {
      if (!hostAndPort.isEmpty() && !hostAndPort.matches("[^:]+:\\d+")) {
        throw new IllegalArgumentException("redis must be host:port but was " + hostAndPort);
      }
      this.redis = hostAndPort;
      return this;
    }

    /** Default {@code collab-netty}. */
    public Builder serverName(String name) {
      this.serverName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Default: {@link YWebsocketLoadProtocol}. */
    public Builder protocol(LoadProtocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    public Builder scenario(String scenario) {
      this.scenario = Objects.requireNonNull(scenario, "scenario");
      return this;
    }

    /** Default 100 clients over 10 documents. */
    public Builder clients(int clients, int documents) {
      if (clients < 1 || documents < 1 || documents > clients) {
        throw new IllegalArgumentException("need 1 <= documents <= clients but got " + clients + " clients, "
            + documents + " documents");
      }
      this.clients = clients;
      this.documents = documents;
      return this;
    }

    public Builder documentPrefix(String prefix) {
      this.documentPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /** Edits per second of each client, 0 for idle clients; default 1. */
    public Builder rate(double perSecond) {
      if (!(perSecond >= 0 && perSecond <= 1000)) {
        throw new IllegalArgumentException("rate must be within 0..1000 per second but was " + perSecond);
      }
      this.rate = perSecond;
      return this;
    }

    /** How many clients edit (the first ones); default: all. */
    public Builder writers(int writers) {
      if (writers < 0) {
        throw new IllegalArgumentException("writers must not be negative but was " + writers);
      }
      this.writers = writers;
      return this;
    }

    /**
     * How many clients also keep a replica of their document (the first ones; see {@link LoadSettings#replicas()});
     * default: one per document.
     */
    public Builder replicas(int replicas) {
      if (replicas < 0) {
        throw new IllegalArgumentException("replicas must not be negative but was " + replicas);
      }
      this.replicas = replicas;
      return this;
    }

    /** The encoded size of each document's text before the clients connect; default 0 (empty documents). */
    public Builder initialDocumentBytes(long bytes) {
      if (bytes < 0 || bytes > 64L * 1024 * 1024) {
        throw new IllegalArgumentException("initialDocumentBytes must be within 0..64 MiB but was " + bytes);
      }
      this.initialDocumentBytes = bytes;
      return this;
    }

    /** Default: no warm-up, 10 s measured. */
    public Builder phases(Duration warmup, Duration duration) {
      if (warmup.isNegative() || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("need warmup >= 0 and duration > 0 but got " + warmup + ", " + duration);
      }
      this.warmup = warmup;
      this.duration = duration;
      return this;
    }

    /** Default zero: awareness only when connecting. */
    public Builder awarenessInterval(Duration interval) {
      if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 100)) {
        throw new IllegalArgumentException("awarenessInterval must be zero or at least 100 ms but was " + interval);
      }
      this.awarenessInterval = interval;
      return this;
    }

    /** Default: the number of cores. */
    public Builder ioThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1 but was " + threads);
      }
      this.ioThreads = threads;
      return this;
    }

    /** Default 200. */
    public Builder connectConcurrency(int concurrency) {
      if (concurrency < 1) {
        throw new IllegalArgumentException("connectConcurrency must be at least 1 but was " + concurrency);
      }
      this.connectConcurrency = concurrency;
      return this;
    }

    public Builder localAddresses(List<InetAddress> addresses) {
      this.localAddresses = List.copyOf(addresses);
      return this;
    }

    /** The server's pid for CPU and heap figures; 0 (default) for none. */
    public Builder serverPid(long pid) {
      if (pid < 0) {
        throw new IllegalArgumentException("serverPid must not be negative but was " + pid);
      }
      this.serverPid = pid;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Connections opened and closed before the idle figures (see {@link LoadSettings#warmupConnections()}); default 0. */
    public Builder warmupConnections(int connections) {
      if (connections < 0) {
        throw new IllegalArgumentException("warmupConnections must not be negative but was " + connections);
      }
      this.warmupConnections = connections;
      return this;
    }

    /** How long to wait before each memory reading (see {@link LoadSettings#settle()}); default zero. */
    public Builder settle(Duration settle) {
      if (Objects.requireNonNull(settle, "settle").isNegative()) {
        throw new IllegalArgumentException("settle must not be negative but was " + settle);
      }
      this.settle = settle;
      return this;
    }

    /** How many processes hold the clients, and which one this is (see {@link LoadSettings#processes()}); default 1, 0. */
    public Builder processes(int processes, int process) {
      if (processes < 1 || process < 0 || process >= processes) {
        throw new IllegalArgumentException("need processes >= 1 and 0 <= process < processes but got " + processes
            + " processes, process " + process);
      }
      this.processes = processes;
      this.process = process;
      return this;
    }

    public LoadSettings build() {
      return new LoadSettings(server, serverName, protocol, scenario, clients, documents, documentPrefix, rate,
          writers < 0 ? clients : Math.min(writers, clients), Math.min(replicas < 0 ? documents : replicas, clients),
          initialDocumentBytes, warmup,
          duration, awarenessInterval, ioThreads, connectConcurrency, localAddresses, serverPid, seed, servers,
          nodePids, databasePid, redis, warmupConnections, settle, processes, process);
    }
  }
}
