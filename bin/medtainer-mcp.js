#!/usr/bin/env node
import '../dist/runtime/medtainer-mcp.js';
