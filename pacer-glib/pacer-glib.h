/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define __PACER_GLIB_INSIDE__

#include <pacer-glib/pacer-version.h>
#include <pacer-glib/pacer-version-macros.h>

#include <pacer-glib/pacer-enums.h>
#include <pacer-glib/pacer-duration-history.h>
#include <pacer-glib/pacer-error.h>
#include <pacer-glib/pacer-event.h>
#include <pacer-glib/pacer-file-store.h>
#include <pacer-glib/pacer-load-scheduler.h>
#include <pacer-glib/pacer-partition.h>
#include <pacer-glib/pacer-rate.h>
#include <pacer-glib/pacer-report.h>
#include <pacer-glib/pacer-runner.h>
#include <pacer-glib/pacer-scheduler.h>
#include <pacer-glib/pacer-shared-fixture.h>
#include <pacer-glib/pacer-shared-json.h>
#include <pacer-glib/pacer-store.h>
#include <pacer-glib/pacer-tdigest.h>
#include <pacer-glib/pacer-test-command.h>
#include <pacer-glib/pacer-test-result.h>
#include <pacer-glib/pacer-token-bucket.h>
#include <pacer-glib/pacer-worker.h>
#include <pacer-glib/pacer-dist-mode.h>
#include <pacer-glib/pacer-unit-scheduler.h>
#include <pacer-glib/pacer-worksteal-scheduler.h>
#include <pacer-glib/pacer-each-scheduler.h>
#include <pacer-glib/pacer-ordered-scheduler.h>

#undef __PACER_GLIB_INSIDE__
