package io.lifeboat;

import io.lifeboat.cli.LifeboatCommand;

/** Entry point: {@code ./lifeboat COMMAND}; see {@link LifeboatCommand}. */
public final class Lifeboat {

    private Lifeboat() {}

    public static void main(String[] args) {
        if ("run".equals(command(args)) && System.getProperty("lifeboat.log.level") == null) {
            System.setProperty(
                    "lifeboat.log.level", "INFO"); // the daemon logs its work; one-shot commands only warnings
        }
        System.exit(LifeboatCommand.execute(args));
    }

    /** The subcommand: the first argument that is neither an option nor the value of {@code --config}. */
    static String command(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return "";
    }
}
