package org.mineralskg;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.neo4j.common.DependencyResolver;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.security.AuthenticationResult;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.security.AuthManager;
import org.neo4j.kernel.api.security.AuthToken;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts a local Neo4j Community DBMS (embedded, Bolt only) for development and CI.
 *
 * <pre>
 *   NEO4J_PASSWORD=... java [JVM flags] -cp 'target/classes:target/lib/*' org.mineralskg.Launcher &lt;home-dir&gt; &lt;bolt-port&gt;
 * </pre>
 *
 * stdout carries exactly one line, {@code NEO4J_READY bolt://127.0.0.1:<port> version=<v>}, once the
 * server accepts Bolt connections; everything else goes to stderr or to {@code <home>/logs/}.
 *
 * Exit codes: 0 after a clean shutdown on SIGTERM (130 on SIGINT, still after a clean shutdown via the
 * shutdown hook), 2 for bad arguments / NEO4J_PASSWORD, 1 when the DBMS fails to start or to shut down.
 */
public final class Launcher {
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;
    static final int MIN_PASSWORD_LENGTH = 8;
    static final String USER = "neo4j";
    static final String PASSWORD_ENV = "NEO4J_PASSWORD";

    private static final PrintStream ERR = System.err;
    private static final Object STOP_LOCK = new Object();
    private static DatabaseManagementService dbms;
    private static Path pidFile;
    private static boolean stopped;
    private static boolean stopOk = true;

    private Launcher() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            ERR.println("usage: " + PASSWORD_ENV + "=<password> java ... org.mineralskg.Launcher <home-dir> <bolt-port>");
            System.exit(EXIT_USAGE);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port;
        try {
            port = Integer.parseInt(args[1].trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            ERR.println("launcher: error: bolt-port must be an integer in 0..65535 (0 = pick a free port), got '" + args[1] + "'");
            System.exit(EXIT_USAGE);
        }
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            ERR.println("launcher: error: environment variable " + PASSWORD_ENV + " is not set; "
                    + "set it to the password for user '" + USER + "' (at least " + MIN_PASSWORD_LENGTH + " characters)");
            System.exit(EXIT_USAGE);
        }
        if (password.length() < MIN_PASSWORD_LENGTH) {
            // never echo the password (or its length)
            ERR.println("launcher: error: " + PASSWORD_ENV + " is too short; Neo4j requires at least "
                    + MIN_PASSWORD_LENGTH + " characters");
            System.exit(EXIT_USAGE);
        }

        try {
            run(home, port, password);
        } catch (Throwable t) {
            ERR.println("launcher: error: Neo4j failed to start: " + t);
            for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                ERR.println("launcher:   caused by: " + c);
            }
            ERR.println("launcher: see " + home.resolve("logs").resolve("debug.log") + " for details");
            stop();
            System.exit(EXIT_FAILURE);
        }
    }

    private static void run(Path home, int port, String password) throws Exception {
        Files.createDirectories(home);
        long t0 = System.nanoTime();

        // Port 0: pick a free port here rather than letting Neo4j bind :0, because the Bolt advertised
        // address (HELLO's advertised_address, dbms.routing.getRoutingTable without a routing context)
        // would otherwise say :7687. Retry if another process grabs the port in between.
        for (int attempt = 1; ; attempt++) {
            int boltPort = port != 0 ? port : freeLoopbackPort();
            try {
                dbms = newBuilder(home, boltPort).build(); // returns once the DBMS and its connectors are started
                break;
            } catch (RuntimeException e) {
                if (port != 0 || attempt >= 3 || !causedByBindFailure(e)) {
                    throw e;
                }
                ERR.println("launcher: port " + boltPort + " was taken meanwhile, retrying with another one");
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::stop, "neo4j-launcher-shutdown"));
        installSigtermHandler();

        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        DependencyResolver resolver = ((GraphDatabaseAPI) system).getDependencyResolver();
        Config config = resolver.resolveDependency(Config.class);

        setInitialPasswordOrCheck(system, resolver, password);

        String dbName = config.get(GraphDatabaseSettings.initial_default_database);
        GraphDatabaseService db = dbms.database(dbName);
        if (!db.isAvailable(TimeUnit.MINUTES.toMillis(2))) {
            throw new IllegalStateException("database '" + dbName + "' did not become available");
        }
        db.executeTransactionally("RETURN 1");

        HostnamePort bolt = resolver.resolveDependency(ConnectorPortRegister.class).getLocalAddress(ConnectorType.BOLT);
        if (bolt == null) {
            throw new IllegalStateException("Bolt connector is not listening (server.bolt.enabled=false in neo4j.conf?)");
        }
        // (the system database only accepts CALL ... YIELD ... RETURN, so ask the default database)
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD name, versions WHERE name = 'Neo4j Kernel' RETURN versions[0] AS v",
                Map.of(), r -> r.hasNext() ? String.valueOf(r.next().get("v")) : "unknown");

        pidFile = home.resolve("launcher.pid");
        Path tmp = home.resolve("launcher.pid.tmp");
        Files.writeString(tmp, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        ERR.printf("launcher: started in %.1f s, home=%s, default database=%s%n",
                (System.nanoTime() - t0) / 1e9, home, dbName);
        System.out.println("NEO4J_READY bolt://127.0.0.1:" + bolt.getPort() + " version=" + version);
        System.out.flush();

        new CountDownLatch(1).await(); // park; SIGTERM / SIGINT end the JVM and the hook shuts Neo4j down
    }

    static DatabaseManagementServiceBuilder newBuilder(Path home, int port) {
        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                // Bolt only, on loopback, plain text (driver URIs bolt:// and neo4j://)
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                // routing tables (neo4j:// URIs) hand out the advertised address
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                // the server-side routing connector (:7688) is not needed by a single server;
                // client-side routing (neo4j:// URIs) works without it
                .setConfig(GraphDatabaseSettings.routing_enabled, false)
                // native auth; user neo4j, password from NEO4J_PASSWORD on first start
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // bounded memory / disk for a test box
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(512))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(120))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "100M size")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                // no phoning home (no outside network here anyway)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt's two Netty event-loop groups each wait a 5 s quiet period on shutdown (10 s in all)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
        Path conf = home.resolve("neo4j.conf");
        if (Files.isRegularFile(conf)) {
            ERR.println("launcher: loading extra settings from " + conf);
            builder.loadPropertiesFromFile(conf);
        }
        return builder;
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static boolean causedByBindFailure(Throwable t) {
        for (int i = 0; t != null && i < 20; t = t.getCause(), i++) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A fresh DBMS has user neo4j with password "neo4j" and a forced change. In that state (first
     * start) set NEO4J_PASSWORD with no forced change. Otherwise keep the stored password, but warn if
     * NEO4J_PASSWORD does not match it.
     */
    private static void setInitialPasswordOrCheck(GraphDatabaseService system, DependencyResolver resolver, String password) {
        Boolean changeRequired = system.executeTransactionally(
                "SHOW USERS YIELD user, passwordChangeRequired WHERE user = $u RETURN passwordChangeRequired",
                Map.of("u", USER), r -> r.hasNext() ? (Boolean) r.next().get("passwordChangeRequired") : null);
        if (changeRequired == null) {
            ERR.println("launcher: warning: user '" + USER + "' does not exist in this home; password left alone");
            return;
        }
        if (changeRequired) {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            ERR.println("launcher: first start: password of user '" + USER + "' set from " + PASSWORD_ENV);
            return;
        }
        ERR.println("launcher: existing home: keeping the stored password of user '" + USER + "'");
        try {
            AuthManager auth = resolver.resolveDependency(AuthManager.class);
            AuthenticationResult result = auth.login(AuthToken.newBasicAuthToken(USER, password),
                    ClientConnectionInfo.EMBEDDED_CONNECTION).subject().getAuthenticationResult();
            if (result != AuthenticationResult.SUCCESS) {
                ERR.println("launcher: warning: " + PASSWORD_ENV + " does not match the stored password of user '"
                        + USER + "' (" + result + "); clients using it will get AuthError. "
                        + "Delete the home dir to start over with the new password.");
            }
        } catch (Throwable t) {
            ERR.println("launcher: note: could not check " + PASSWORD_ENV + " against the stored password: " + t);
        }
    }

    /** Clean shutdown, at most once; used by the SIGTERM handler, the shutdown hook and start failures. */
    private static boolean stop() {
        synchronized (STOP_LOCK) {
            if (stopped) {
                return stopOk;
            }
            stopped = true;
            if (dbms != null) {
                try {
                    ERR.println("launcher: shutting down Neo4j");
                    dbms.shutdown();
                    ERR.println("launcher: Neo4j stopped cleanly");
                } catch (Throwable t) {
                    stopOk = false;
                    ERR.println("launcher: error during shutdown: " + t);
                }
            }
            if (pidFile != null) {
                try {
                    Files.deleteIfExists(pidFile);
                } catch (IOException ignored) {
                    // best effort
                }
            }
            return stopOk;
        }
    }

    /**
     * Without this the JVM still runs the shutdown hook on SIGTERM but exits with status 143; with it a
     * clean shutdown exits 0 (and 1 if shutting down failed), which keeps `kill; wait` in scripts simple.
     */
    @SuppressWarnings("restriction")
    private static void installSigtermHandler() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), sig -> {
                boolean ok = stop();
                System.exit(ok ? 0 : EXIT_FAILURE);
            });
        } catch (Throwable t) {
            ERR.println("launcher: note: SIGTERM handler not installed (" + t + "); shutdown hook still applies");
        }
    }
}
