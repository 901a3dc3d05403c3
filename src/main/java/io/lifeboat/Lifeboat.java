package io.lifeboat;

import io.lifeboat.cli.LifeboatCommand;

/** Entry point: {@code ./lifeboat COMMAND}; see {@link LifeboatCommand}. */
public final class Lifeboat {

    private Lifeboat() {}

    public static void main(String[] args) {
        if (args.length > 0 && "run".equals(args[0]) && System.getProperty("lifeboat.log.level") == null) {
            System.setProperty("lifeboat.log.level", "INFO"); // the daemon logs its work; one-shot commands only warnings
        }
        System.exit(LifeboatCommand.execute(args));
    }
}
