/**
 * Values in the formats OpenSSH's configuration files use, shared by the client's options and the
 * server's flags.
 */
package dev.ferry.config;
