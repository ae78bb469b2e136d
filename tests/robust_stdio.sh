#!/bin/bash
. "${srcdir:-.}/tests/cli_lib.sh"
finish
