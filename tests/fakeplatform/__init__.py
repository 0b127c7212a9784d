"""科学号: a made-up platform that lives in this one folder, to prove adding a platform is cheap.

The catalogue gains one line (``tests.fakeplatform``) in the test that uses it; nothing else in
the product is edited, yet config, import detection, URL resolution, exports and the simulator
all see it.
"""

from connectors.spec import Capabilities, PlatformSpec

SPEC = PlatformSpec(
    id="kexue",
    name_zh="科学号",
    kind="social",
    hosts=("kexue.example",),
    post_url="https://www.kexue.example/w/{post_id}",
    account_url="https://www.kexue.example/u/{uid}",
    colour="#00838F",
    aliases=("科学号",),
    resolve_url="tests.fakeplatform.parse:work_ref",
    parser="tests.fakeplatform.parse",
    simulator="tests.fakeplatform.sim",
    base_url="https://api.kexue.example",
    rate_per_s=0.5,
    capabilities=Capabilities(listing_metrics=frozenset({"likes", "comments"})),
)
