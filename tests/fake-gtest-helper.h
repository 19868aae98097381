/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

int fake_helper_main (int argc, char **argv);
