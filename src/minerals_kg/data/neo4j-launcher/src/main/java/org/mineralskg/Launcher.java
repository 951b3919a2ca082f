package org.mineralskg;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.server.CommunityEntryPoint;

/**
 * Starts the real Neo4j Community server ({@link CommunityEntryPoint}, as Neo4j's own {@code bin/neo4j}
 * does) with a home folder and a config folder written by minerals-kg.
 *
 * <pre>
 *   NEO4J_PASSWORD=... java [JVM flags] -cp 'target/classes:target/lib/*' org.mineralskg.Launcher \
 *       --home-dir=&lt;home&gt; --config-dir=&lt;home&gt;/conf
 * </pre>
 *
 * The only thing it adds to Neo4j's entry point: on the first start of a home (no system database
 * yet) it sets the initial password of user {@code neo4j} from the environment variable
 * {@code NEO4J_PASSWORD}, in this process, through Neo4j's own {@code dbms set-initial-password}
 * command. The password therefore never appears on any command line ({@code ps}) and never in a log.
 * The arguments are passed to Neo4j unchanged.
 *
 * Exit codes: 2 for bad arguments or a missing or short NEO4J_PASSWORD on first start, 1 when setting
 * the password fails; after that, Neo4j's own (the server logs to {@code <home>/logs/neo4j.log}).
 */
public final class Launcher {
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;
    static final int MIN_PASSWORD_LENGTH = 8;
    static final String PASSWORD_ENV = "NEO4J_PASSWORD";

    private static final PrintStream ERR = System.err;

    private Launcher() {}

    public static void main(String[] args) {
        Path home = null;
        Path conf = null;
        for (String arg : args) {
            if (arg.startsWith("--home-dir=")) {
                home = Path.of(arg.substring("--home-dir=".length())).toAbsolutePath().normalize();
            } else if (arg.startsWith("--config-dir=")) {
                conf = Path.of(arg.substring("--config-dir=".length())).toAbsolutePath().normalize();
            }
        }
        if (home == null || conf == null || !Files.isRegularFile(conf.resolve("neo4j.conf"))) {
            ERR.println("usage: " + PASSWORD_ENV + "=<password> java ... org.mineralskg.Launcher "
                    + "--home-dir=<home> --config-dir=<folder holding neo4j.conf>");
            System.exit(EXIT_USAGE);
        }
        if (isFirstStart(home)) {
            setInitialPassword(home, conf);
        }
        CommunityEntryPoint.main(args); // returns once the server runs; its threads keep the JVM alive
    }

    /** A home whose system database does not exist yet has never been started. */
    static boolean isFirstStart(Path home) {
        return !Files.isDirectory(home.resolve("data").resolve("databases").resolve("system"));
    }

    private static void setInitialPassword(Path home, Path conf) {
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            // never echo the password (or its length)
            ERR.println("launcher: error: " + PASSWORD_ENV + " must be set to at least " + MIN_PASSWORD_LENGTH
                    + " characters before the first start; it becomes the password of user neo4j");
            System.exit(EXIT_USAGE);
        }
        int status = AdminTool.execute(new ExecutionContext(home, conf), "dbms", "set-initial-password", password);
        if (status != 0) {
            ERR.println("launcher: error: setting the initial password failed (neo4j-admin exit " + status + ")");
            System.exit(EXIT_FAILURE);
        }
        ERR.println("launcher: first start: password of user neo4j set from " + PASSWORD_ENV);
    }
}
