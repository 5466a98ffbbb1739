@echo off
rem tender-agent launcher for Windows: runs the agent with node.exe (Node.js @MIN_NODE@ or newer; the agent checks).
setlocal
set "TENDER_ROOT=%~dp0.."
if defined TENDER_AGENT_NODE (set "TENDER_NODE=%TENDER_AGENT_NODE%") else (set "TENDER_NODE=node")
"%TENDER_NODE%" "%TENDER_ROOT%\lib\node_modules\@tender\agent\bin\run.js" %*
