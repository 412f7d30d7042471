/**
 * ferryd beyond one machine: several nodes sharing one root and one host key, behind a load
 * balancer, with users and bans in a database.
 */
package dev.ferry.it.scale;
