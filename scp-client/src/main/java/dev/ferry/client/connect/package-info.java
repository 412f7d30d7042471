/**
 * Getting an authenticated SSH session: ssh_config and {@code -o} options resolved in OpenSSH's
 * order, keys and passwords, host-key checking, jump hosts, all applied to MINA's client here.
 */
package dev.ferry.client.connect;
