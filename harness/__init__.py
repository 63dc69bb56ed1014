"""The shared test and benchmark harness: what tests/ and benchmarks/ both use, so that
neither imports the other and both measure the same setup `make run` starts.

Real servers only, started on free loopback ports (`harness.rasa_processes`: the Rasa server
and the action server with the trained model); fakes only of the services that are not ours
(`harness.fakes`: WeCom's API and callback sender, and a stand-in for Rasa's agent behind an
input channel); and scored sample role-plays stored through the real Storage
(`harness.web_sample_data`). Dev-only: not part of the installed package.
"""
