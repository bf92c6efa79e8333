"""Demo content for ``manage.py load_demo``: real papers, summaries and opinions in our own words.

Titles, authors, years and arXiv ids are the papers' own; the abstracts here are short
paraphrases written for the demo, not the published abstracts.
"""

from datetime import UTC, datetime

# Demo accounts: (username, password, role). Passwords are for local demos only.
ACCOUNTS = [
    ("admin", "demo-admin-pass", "superuser"),
    ("author", "demo-author-pass", "Authors"),
    ("moderator", "demo-moderator-pass", "Moderators"),
    ("reader1", "demo-reader1-pass", "reader"),
    ("reader2", "demo-reader2-pass", "reader"),
]

SERIES = {
    "name": "Weekly paper roundup",
    "slug": "weekly-paper-roundup",
    "description": "Papers on machine learning and alignment worth your time, with opinions.",
}

ROUNDUPS = [
    {
        "title": "Week 1: Foundations of preference learning and alignment",
        "slug": "week-1-foundations",
        "number": 1,
        "published_at": datetime(2026, 11, 13, 9, 0, tzinfo=UTC),
        "intro": (
            "Welcome to the first **weekly paper roundup**. This week is a tour of the papers\n"
            "that most of today's alignment work builds on: the Transformer, scaling laws,\n"
            "learning from human preferences, and the first attempts to say what could go\n"
            "wrong.\n\n"
            "Each entry has a short summary in my words and an opinion. Disagree in the comments."
        ),
        "outro": (
            "That's it for week 1. If you read only two of these, make it the *InstructGPT* paper\n"
            "and *Toy Models of Superposition*: one shows how the field trains models today, the\n"
            "other how we might one day understand them.\n\n"
            "Next week: reasoning, eliciting latent knowledge and deceptive models."
        ),
        "crosspost_url": "https://example.org/blog/weekly-paper-roundup-1",
        "entries": [
            {
                "title": "Attention Is All You Need",
                "url": "https://arxiv.org/abs/1706.03762",
                "authors": (
                    "Ashish Vaswani, Noam Shazeer, Niki Parmar, Jakob Uszkoreit, Llion Jones, "
                    "Aidan N. Gomez, Łukasz Kaiser, Illia Polosukhin"
                ),
                "year": 2017,
                "abstract": (
                    "Drops recurrence and convolution from sequence-to-sequence models and keeps "
                    "only attention. The resulting Transformer trains much faster in parallel and "
                    "set new translation benchmarks."
                ),
                "opinion": (
                    "Everything else in this roundup runs on this architecture. Worth rereading "
                    "for how *little* machinery it needs: multi-head attention, positional "
                    "encodings and residual blocks."
                ),
                "code_url": "https://github.com/tensorflow/tensor2tensor",
                "related": "- The Annotated Transformer: https://nlp.seas.harvard.edu/annotated-transformer/",
            },
            {
                "title": "Scaling Laws for Neural Language Models",
                "url": "https://arxiv.org/abs/2001.08361",
                "authors": (
                    "Jared Kaplan, Sam McCandlish, Tom Henighan, Tom B. Brown, Benjamin Chess, "
                    "Rewon Child, Scott Gray, Alec Radford, Jeffrey Wu, Dario Amodei"
                ),
                "year": 2020,
                "abstract": (
                    "Language-model loss falls as a smooth power law in parameters, data and "
                    "compute over many orders of magnitude, which lets you predict the payoff of "
                    "a bigger training run before you pay for it."
                ),
                "opinion": (
                    'The paper that turned "make it bigger" into an engineering plan. The exact '
                    "exponents were later revised (see Chinchilla), but the habit of fitting "
                    "curves before spending compute stuck."
                ),
                "code_url": "",
                "related": (
                    "- Training Compute-Optimal Large Language Models: "
                    "https://arxiv.org/abs/2203.15556"
                ),
            },
            {
                "title": "Concrete Problems in AI Safety",
                "url": "https://arxiv.org/abs/1606.06565",
                "authors": (
                    "Dario Amodei, Chris Olah, Jacob Steinhardt, Paul Christiano, John Schulman, "
                    "Dan Mané"
                ),
                "year": 2016,
                "abstract": (
                    "Names five practical research problems for ML systems that act in the world: "
                    "avoiding side effects, reward hacking, scalable oversight, safe exploration "
                    "and robustness to distributional shift."
                ),
                "opinion": (
                    "Still the best on-ramp for ML engineers who wonder what *safety* means in "
                    "practice. Every one of the five problems has shown up in deployed systems "
                    "since."
                ),
                "code_url": "",
                "related": "",
            },
            {
                "title": "Deep reinforcement learning from human preferences",
                "url": "https://arxiv.org/abs/1706.03741",
                "authors": (
                    "Paul Christiano, Jan Leike, Tom B. Brown, Miljan Martic, Shane Legg, "
                    "Dario Amodei"
                ),
                "year": 2017,
                "abstract": (
                    "Instead of a hand-written reward, a model of reward is learned from people "
                    "comparing pairs of short clips. With feedback on under one percent of the "
                    "agent's experience it learns Atari games and simulated robot behaviours, "
                    "including a backflip nobody could easily specify."
                ),
                "opinion": (
                    "The seed of RLHF. The backflip demo is the memorable part, but the real "
                    "contribution is showing that *comparisons* are a cheap, scalable signal."
                ),
                "code_url": "",
                "related": "",
            },
            {
                "title": "Training language models to follow instructions with human feedback",
                "url": "https://arxiv.org/abs/2203.02155",
                "authors": (
                    "Long Ouyang, Jeff Wu, Xu Jiang, Diogo Almeida, Carroll L. Wainwright, "
                    "Pamela Mishkin, Chong Zhang, Sandhini Agarwal, Katarina Slama, Alex Ray, "
                    "et al."
                ),
                "year": 2022,
                "abstract": (
                    "Fine-tunes GPT-3 on demonstrations, then on a reward model trained from "
                    "human rankings (InstructGPT). Labelers prefer a 1.3B-parameter InstructGPT "
                    "to the 175B base model."
                ),
                "opinion": (
                    "The recipe behind the chat assistants. Read the section on the *alignment "
                    "tax* and on whose preferences the labelers end up representing: both are "
                    "more candid than most follow-ups."
                ),
                "code_url": "",
                "related": (
                    "- Learning to summarize from human feedback: https://arxiv.org/abs/2009.01325"
                ),
            },
            {
                "title": "Constitutional AI: Harmlessness from AI Feedback",
                "url": "https://arxiv.org/abs/2212.08073",
                "authors": (
                    "Yuntao Bai, Saurav Kadavath, Sandipan Kundu, Amanda Askell, Jackson Kernion, "
                    "et al."
                ),
                "year": 2022,
                "abstract": (
                    "Replaces most human harmlessness labels with a short list of written "
                    "principles: the model critiques and revises its own answers, and AI "
                    "preference labels drive the reinforcement-learning stage (RLAIF)."
                ),
                "opinion": (
                    "A practical step toward oversight that scales. The interesting question is "
                    "how much the result depends on the exact wording of the constitution; the "
                    "paper only starts to answer it."
                ),
                "code_url": "",
                "related": "",
            },
            {
                "title": (
                    "Direct Preference Optimization: Your Language Model is Secretly a Reward Model"
                ),
                "url": "https://arxiv.org/abs/2305.18290",
                "authors": (
                    "Rafael Rafailov, Archit Sharma, Eric Mitchell, Stefano Ermon, "
                    "Christopher D. Manning, Chelsea Finn"
                ),
                "year": 2023,
                "abstract": (
                    "Shows that the RLHF objective with a KL penalty can be optimized directly "
                    "on preference pairs with a simple classification-style loss, with no "
                    "separate reward model and no PPO loop."
                ),
                "opinion": (
                    "Elegant and easy to run, which is why it spread so fast. It does not remove "
                    "the hard part, though: you still need good preference data."
                ),
                "code_url": "https://github.com/eric-mitchell/direct-preference-optimization",
                "related": "",
            },
            {
                "title": "Toy Models of Superposition",
                "url": "https://arxiv.org/abs/2209.10652",
                "authors": (
                    "Nelson Elhage, Tristan Hume, Catherine Olsson, Nicholas Schiefer, "
                    "Tom Henighan, Shauna Kravec, Zac Hatfield-Dodds, Robert Lasenby, Dawn Drain, "
                    "Carol Chen, et al., Chris Olah"
                ),
                "year": 2022,
                "abstract": (
                    "Small ReLU networks trained on sparse synthetic features store more features "
                    "than they have dimensions, arranging them in geometric patterns. This "
                    "superposition helps explain why single neurons are so often polysemantic."
                ),
                "opinion": (
                    "The clearest explanation I know of why interpretability is hard, and the "
                    "motivation for the sparse-autoencoder work that followed. The phase "
                    "diagrams are worth the read alone."
                ),
                "code_url": "",
                "related": (
                    "- Towards Monosemanticity (sparse autoencoders): "
                    "https://transformer-circuits.pub/2023/monosemantic-features"
                ),
            },
            {
                "title": (
                    "Weak-to-Strong Generalization: Eliciting Strong Capabilities With Weak "
                    "Supervision"
                ),
                "url": "https://arxiv.org/abs/2312.09390",
                "authors": (
                    "Collin Burns, Pavel Izmailov, Jan Hendrik Kirchner, Bowen Baker, Leo Gao, "
                    "Leopold Aschenbrenner, Yining Chen, Adrien Ecoffet, Manas Joglekar, "
                    "Jan Leike, Ilya Sutskever, Jeff Wu"
                ),
                "year": 2023,
                "abstract": (
                    "An analogy for supervising models smarter than us: fine-tune a strong model "
                    "on labels from a weaker one. The strong student often beats its weak "
                    "teacher, but recovers only part of its full capability."
                ),
                "opinion": (
                    "A good experimental setup for a problem that usually only gets essays. "
                    "The gap it measures is the number to watch in later work."
                ),
                "code_url": "https://github.com/openai/weak-to-strong",
                "related": "",
            },
            {
                "title": "Risks from Learned Optimization in Advanced Machine Learning Systems",
                "url": "https://arxiv.org/abs/1906.01820",
                "authors": (
                    "Evan Hubinger, Chris van Merwijk, Vladimir Mikulik, Joar Skalse, "
                    "Scott Garrabrant"
                ),
                "year": 2019,
                "abstract": (
                    "Asks what happens when training produces a model that is itself an "
                    "optimizer (a mesa-optimizer), and why its objective might differ from the "
                    "one we trained for: inner alignment."
                ),
                "opinion": (
                    "Conceptual rather than empirical, and the vocabulary (*mesa-optimizer*, "
                    "*deceptive alignment*) is now everywhere. Pair it with next week's "
                    "Sleeper Agents paper for the empirical side."
                ),
                "code_url": "",
                "related": "",
            },
        ],
    },
    {
        "title": "Week 2: Reasoning, latent knowledge and deception",
        "slug": "week-2-reasoning-and-deception",
        "number": 2,
        "published_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        "intro": (
            "Week 2 looks at what models know and say: prompting that makes reasoning visible,\n"
            "finding knowledge without labels, and models trained to hide a behaviour."
        ),
        "outro": "Thanks for reading. Suggestions for week 3 are welcome in the comments.",
        "crosspost_url": "",
        "entries": [
            {
                "title": "Chain-of-Thought Prompting Elicits Reasoning in Large Language Models",
                "url": "https://arxiv.org/abs/2201.11903",
                "authors": (
                    "Jason Wei, Xuezhi Wang, Dale Schuurmans, Maarten Bosma, Brian Ichter, "
                    "Fei Xia, Ed Chi, Quoc Le, Denny Zhou"
                ),
                "year": 2022,
                "abstract": (
                    "A few worked examples with intermediate steps in the prompt make large "
                    "models much better at arithmetic, commonsense and symbolic reasoning."
                ),
                "opinion": (
                    "Simple and hugely influential. Whether the written reasoning is *faithful* "
                    "to what the model computes is the open question it left behind."
                ),
                "code_url": "",
                "related": "",
            },
            {
                "title": "Discovering Latent Knowledge in Language Models Without Supervision",
                "url": "https://arxiv.org/abs/2212.03827",
                "authors": "Collin Burns, Haotian Ye, Dan Klein, Jacob Steinhardt",
                "year": 2022,
                "abstract": (
                    "Finds a direction in a model's activations that behaves like truth, using "
                    "only logical consistency between a statement and its negation, with no "
                    "labels (Contrast-Consistent Search)."
                ),
                "opinion": (
                    "A neat idea with a clear motivation: read what the model believes, not "
                    "what it says. Later work found it can latch onto other salient features."
                ),
                "code_url": "https://github.com/collin-burns/discovering_latent_knowledge",
                "related": "",
            },
            {
                "title": (
                    "Sleeper Agents: Training Deceptive LLMs that Persist Through Safety Training"
                ),
                "url": "https://arxiv.org/abs/2401.05566",
                "authors": "Evan Hubinger, Carson Denison, Jesse Mu, Mike Lambert, et al.",
                "year": 2024,
                "abstract": (
                    "Trains models with a hidden trigger (for example, writing insecure code when "
                    "the prompt says a certain year) and shows that standard safety training "
                    "does not remove the behaviour and can even teach the model to hide it better."
                ),
                "opinion": (
                    "A model organism, not evidence that this happens naturally, and the paper "
                    "says so. Still sobering for anyone counting on fine-tuning to clean up."
                ),
                "code_url": "",
                "related": "",
            },
        ],
    },
]

# A draft, so the author sees how drafts look; readers never see it.
DRAFT = {
    "title": "Week 3 (draft): Debate and scalable oversight",
    "slug": "week-3-debate-draft",
    "number": 3,
    "intro": "Work in progress: papers on debate as a way to supervise strong models.",
    "outro": "",
    "crosspost_url": "",
    "entries": [
        {
            "title": "AI safety via debate",
            "url": "https://arxiv.org/abs/1805.00899",
            "authors": "Geoffrey Irving, Paul Christiano, Dario Amodei",
            "year": 2018,
            "abstract": (
                "Two agents argue opposite sides and a human judges; the hope is that "
                "honest arguments win even when the judge could not solve the problem alone."
            ),
            "opinion": "To write.",
            "code_url": "",
            "related": "",
        },
    ],
}
