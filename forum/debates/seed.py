"""The debate this site was built for, written in our own words.

The summary paraphrases the facts of the Naked Security report and links to
it; it does not reproduce the article.
"""

import datetime

from django.db import transaction

from .models import Debate, PollOption

CLEARVIEW_SLUG = "clearview-ai-cnil-fine"

CLEARVIEW_SUMMARY = """\
France's data protection regulator, the **CNIL**, has fined Clearview AI **€20 million** and
ordered it to stop collecting and using data about people in France without a legal basis, and
to delete what it already holds.

Clearview builds a face search engine for law enforcement. It gathers every photograph it can
reach without logging in, from social networks and other websites, along with frames taken from
online videos: more than 20 billion images worldwide, by the CNIL's count. From each face it makes
a "biometric template", so that a customer can upload a photo and find where else that person
appears. Most of the people in its collection have no idea they are in it.

The fine follows a formal notice in December 2021, which Clearview left unanswered. The CNIL found
that it had neither consent nor a legitimate interest for the collection, and that it obstructed
people's rights: it limited access requests to data from the previous twelve months and to twice a
year, answered some only after repeated requests, and gave partial answers or none to requests to
see or erase data.

It is not the company's first brush with regulators. It has faced complaints and class actions in
Illinois, Vermont, New York and California, a legal challenge from the ACLU, cease-and-desist
letters from Facebook, Google and YouTube, and fines and orders in Australia and the UK, where the
Information Commissioner announced a penalty of about £7.5 million in May 2022 (down from a
proposed £17 million). After the UK ruling, Clearview's chief executive said it "breaks my heart"
that the company could not help British police investigate child sexual abuse cases.
"""

CLEARVIEW_QUESTION = (
    "Does Clearview AI provide a useful and socially acceptable service to law enforcement, "
    "or does it trample our privacy and presumption of innocence?"
)

CLEARVIEW_OPTIONS = [
    ("useful", "A useful, acceptable service for law enforcement"),
    ("invasion", "An unacceptable invasion of privacy"),
    ("unsure", "Not sure / it depends"),
]


@transaction.atomic
def ensure_clearview_debate() -> tuple[Debate, bool]:
    """Create the Clearview AI debate and its poll if missing; never overwrite.

    Moderators may have reworded the question or the options since; a second
    run leaves their edits alone. Returns the debate and whether it was created.
    """
    debate, created = Debate.objects.get_or_create(
        slug=CLEARVIEW_SLUG,
        defaults={
            "title": "Clearview AI fined €20m in France for scraping faces",
            "summary": CLEARVIEW_SUMMARY,
            "source_name": "Naked Security (Sophos)",
            "source_title": "Clearview AI image-scraping face recognition service hit with €20m fine in France",
            "source_date": datetime.date(2022, 10, 26),
            "source_url": (
                "https://nakedsecurity.sophos.com/2022/10/26/"
                "clearview-ai-image-scraping-face-recognition-service-hit-with-e20m-fine-in-france/"
            ),
            "question": CLEARVIEW_QUESTION,
            "featured": True,
        },
    )
    if created:
        PollOption.objects.bulk_create(
            PollOption(debate=debate, key=key, label=label, position=position)
            for position, (key, label) in enumerate(CLEARVIEW_OPTIONS)
        )
    return debate, created
