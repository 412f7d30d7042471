/**
 * The {@code ferry} command line: its commands ({@code cp}, {@code sync}, {@code demo},
 * {@code relay}, {@code -O}), and how one run of them is carried out, in this process or, when a
 * control master serves the host, inside the master ({@link dev.ferry.client.cli.MasterMain}) with
 * the attaching run's streams, terminal and working directory ({@code Invocation}).
 */
package dev.ferry.client.cli;
