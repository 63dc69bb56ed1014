"""What talks to the outside world: the trained model, the database, WeCom's protocol and
API, Rasa's tracker store. They depend on the domain; the domain never imports them."""
