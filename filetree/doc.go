// Package filetree will render Zou's file-tree templates offline, byte for
// byte as the Kitsu server does, parse paths back into their context, and
// map tree mountpoints to per-OS roots. It is built by the filetree issue;
// nothing is exported yet.
package filetree
