/** SCP pieces both sides use: landing received files atomically. */
package dev.ferry.scp;
